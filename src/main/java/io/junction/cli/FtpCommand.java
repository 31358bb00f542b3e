package io.junction.cli;

import com.typesafe.config.ConfigFactory;
import io.junction.ftp.Ftp;
import io.junction.ftp.RemoteFile;
import io.junction.ftp.RemotePaths;
import io.junction.ftp.RemoteSettings;
import io.junction.ftp.RemoteUrl;
import io.junction.ftp.ResumingDownload;
import io.junction.ftp.RetryPolicy;
import io.junction.ftp.SafeUpload;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code junction ftp put|get|ls}: file transfers with ftp://, ftps:// and sftp:// URLs, each on a
 * small actor system of its own, with a progress bar on a terminal and one summary line otherwise.
 */
@Command(
    name = "ftp",
    mixinStandardHelpOptions = true,
    description = "Transfer files with FTP, FTPS (explicit TLS) or SFTP.",
    subcommands = {FtpCommand.Put.class, FtpCommand.Get.class, FtpCommand.Ls.class},
    footer = {
      "",
      "URLs: ftp://user@host[:port]/path, ftps://... (explicit TLS), ftps+implicit://..., sftp://...",
      "Examples:",
      "  junction ftp put report.csv ftp://demo@127.0.0.1:2121/in/ --password-env FTP_PW",
      "  junction ftp get sftp://me@files.example.com/out/a.bin . --known-hosts ~/.ssh/known_hosts",
      "  junction ftp ls ftp://demo@127.0.0.1:2121/archive/",
      "Exit codes: 0 ok, 1 the transfer or the server failed, 2 usage (bad URL, no such local"
          + " file, no password)."
    })
public final class FtpCommand implements Runnable {
  @Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** Options shared by every subcommand: where the secret comes from and whom to trust. */
  static final class Remote {
    @Option(
        names = "--password-env",
        paramLabel = "VAR",
        description = "Read the password from this environment variable.")
    String passwordEnv;

    @Option(
        names = "--password-file",
        paramLabel = "FILE",
        description = "Read the password from this file (trailing newline stripped).")
    Path passwordFile;

    @Option(
        names = "--known-hosts",
        paramLabel = "FILE",
        description = "SFTP: OpenSSH known_hosts file with the server's key.")
    Path knownHosts;

    @Option(
        names = "--host-key-fingerprint",
        paramLabel = "SHA256:...",
        description = "SFTP: the server key's fingerprint, as ssh-keygen -lf prints it.")
    String fingerprint;

    @Option(
        names = "--private-key",
        paramLabel = "FILE",
        description = "SFTP: authenticate with this private key instead of a password.")
    Path privateKey;

    @Option(
        names = "--truststore",
        paramLabel = "FILE",
        description = "FTPS: trust anchors (PKCS12 or JKS) instead of the JVM's CAs.")
    Path truststore;

    @Option(names = "--trust-all", description = "FTPS, development only: accept any certificate.")
    boolean trustAll;

    /** The URL's settings with the secret and trust options applied. */
    RemoteSettings settings(RemoteUrl url) throws IOException {
      RemoteSettings s = url.settings();
      if (knownHosts != null) s = s.withKnownHosts(knownHosts);
      if (fingerprint != null) s = s.withHostKeyFingerprint(fingerprint);
      if (truststore != null) s = s.withTruststore(truststore, null);
      if (trustAll) s = s.withTrustAll(true);
      if (privateKey != null) return s.withPrivateKey(privateKey, null);
      return s.withPassword(password(s));
    }

    private String password(RemoteSettings s) throws IOException {
      if (passwordEnv != null) {
        String v = System.getenv(passwordEnv);
        if (v == null || v.isEmpty())
          throw new IllegalArgumentException("environment variable " + passwordEnv + " is not set");
        return v;
      }
      if (passwordFile != null)
        return Files.readString(passwordFile, StandardCharsets.UTF_8).replaceAll("[\r\n]+$", "");
      if (s.username().equals("anonymous")) return "anonymous@";
      if (System.console() == null)
        throw new IllegalArgumentException(
            "no password: give --password-env or --password-file (no terminal to prompt on)");
      char[] pw = System.console().readPassword("Password for %s@%s: ", s.username(), s.server());
      return pw == null ? "" : new String(pw);
    }
  }

  /** The shape every subcommand shares: its own actor system, errors as one line, exit codes. */
  abstract static class Transfer implements Callable<Integer> {
    @Spec CommandLine.Model.CommandSpec spec;
    @Mixin Remote remote;

    abstract String run(ActorSystem<Void> system) throws Exception;

    @Override
    public Integer call() {
      ActorSystem<Void> system =
          ActorSystem.create(
              Behaviors.empty(),
              "junction-ftp",
              ConfigFactory.parseString(
                      "pekko.loglevel = OFF, pekko.stdout-loglevel = OFF, pekko.loggers = [\"org.apache.pekko.event.Logging$DefaultLogger\"]")
                  .withFallback(ConfigFactory.load()));
      try {
        String summary = run(system);
        if (summary != null) spec.commandLine().getOut().println(summary);
        return 0;
      } catch (IllegalArgumentException e) {
        spec.commandLine().getErr().println("junction ftp: " + e.getMessage());
        return 2;
      } catch (Exception e) {
        Throwable t = e;
        while ((t instanceof ExecutionException
                || t instanceof java.util.concurrent.CompletionException)
            && t.getCause() != null) t = t.getCause();
        spec.commandLine().getErr().println("junction ftp: " + t.getMessage());
        return 1;
      } finally {
        spec.commandLine().getOut().flush();
        system.terminate();
      }
    }

    TransferProgress progress(String label, long total) {
      return new TransferProgress(
          label, total, System.console() != null, spec.commandLine().getErr());
    }

    static <T> T await(CompletionStage<T> stage) throws Exception {
      return stage.toCompletableFuture().get(24, TimeUnit.HOURS);
    }
  }

  /** Uploads a local file safely (temporary name, size check, rename). */
  @Command(
      name = "put",
      mixinStandardHelpOptions = true,
      description = "Upload LOCAL to URL (a path ending in / keeps the file's name).",
      footer = {
        "",
        "Examples:",
        "  junction ftp put report.csv ftp://demo@127.0.0.1:2121/in/ --password-file pw.txt",
        "  junction ftp put a.bin sftp://me@host/upload/a.bin --private-key ~/.ssh/id_ed25519"
            + " --known-hosts ~/.ssh/known_hosts",
        "Exit codes: 0 uploaded and size checked, 1 transfer or server failure, 2 usage."
      })
  static final class Put extends Transfer {
    @Parameters(index = "0", paramLabel = "LOCAL")
    Path local;

    @Parameters(index = "1", paramLabel = "URL")
    String url;

    @Override
    String run(ActorSystem<Void> system) throws Exception {
      RemoteUrl u = RemoteUrl.parse(url);
      if (!Files.isRegularFile(local)) throw new IllegalArgumentException("no such file: " + local);
      String path = u.path().endsWith("/") ? u.path() + local.getFileName() : u.path();
      RemoteSettings s = remote.settings(u);
      TransferProgress p = progress("put " + local.getFileName(), Files.size(local));
      await(SafeUpload.fromFile(s, local, path, true, p::add, system));
      return p.summary();
    }
  }

  /**
   * Downloads to a local file that appears only when complete, resuming after a dropped connection
   * (RetryPolicy defaults), one connection per attempt.
   */
  @Command(
      name = "get",
      mixinStandardHelpOptions = true,
      description = "Download URL to LOCAL (a directory keeps the remote name).",
      footer = {
        "",
        "Examples:",
        "  junction ftp get ftp://demo@127.0.0.1:2121/archive/x.jsonl . --password-env FTP_PW",
        "  junction ftp get ftps://me@host/out/a.bin a.bin --truststore ca.p12",
        "Exit codes: 0 downloaded (complete), 1 transfer or server failure, 2 usage."
      })
  static final class Get extends Transfer {
    @Parameters(index = "0", paramLabel = "URL")
    String url;

    @Parameters(index = "1", paramLabel = "LOCAL")
    Path local;

    @Override
    String run(ActorSystem<Void> system) throws Exception {
      RemoteUrl u = RemoteUrl.parse(url);
      RemoteSettings s = remote.settings(u);
      Path target =
          Files.isDirectory(local)
              ? RemotePaths.localTarget(local, RemotePaths.fileName(u.path()))
              : local;
      TransferProgress p = progress("get " + target.getFileName(), -1);
      await(
          ResumingDownload.toFile(
              s,
              u.path(),
              target,
              RetryPolicy.defaults(),
              new ResumingDownload.Progress() {
                @Override
                public void started(long size, long offset) {
                  p.restart(size, offset);
                }

                @Override
                public void add(long n) {
                  p.add(n);
                }
              },
              system));
      return p.summary();
    }
  }

  /** Lists a remote directory: type, size, modification time, name. */
  @Command(
      name = "ls",
      mixinStandardHelpOptions = true,
      description = "List the directory at URL: type, size, modification time, name.",
      footer = {
        "",
        "Examples:",
        "  junction ftp ls ftp://demo@127.0.0.1:2121/archive/ --password-file conf/demo-ftp.password",
        "  junction ftp ls -R sftp://me@host/out/ --output json | jq -r '.[].path'",
        "Exit codes: 0 listed, 1 server failure, 2 usage."
      })
  static final class Ls extends Transfer {
    @Option(names = "--output", defaultValue = "text", description = "text or json.")
    Output.Format output;

    @Parameters(index = "0", paramLabel = "URL")
    String url;

    @Option(
        names = {"-R", "--recursive"},
        description = "Include subdirectories.")
    boolean recursive;

    @Override
    String run(ActorSystem<Void> system) throws Exception {
      RemoteUrl u = RemoteUrl.parse(url);
      List<RemoteFile> files =
          await(Ftp.ls(remote.settings(u), u.path(), recursive).runWith(Sink.seq(), system));
      var out = spec.commandLine().getOut();
      if (output == Output.Format.JSON) {
        List<java.util.Map<String, Object>> rows = new java.util.ArrayList<>();
        for (RemoteFile f : files) {
          java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
          m.put("name", f.name());
          m.put("path", f.path());
          m.put("type", f.type().name().toLowerCase(java.util.Locale.ROOT));
          m.put("size", f.size());
          m.put("modified", f.modified() == null ? null : f.modified().toString());
          rows.add(m);
        }
        out.println(Output.json(rows));
        return null;
      }
      for (RemoteFile f : files)
        out.printf(
            "%s %12d %s %s%n",
            f.isDirectory() ? "d" : f.isFile() ? "-" : "?",
            f.size(),
            f.modified(),
            recursive ? f.path() : f.name());
      return null;
    }
  }
}
