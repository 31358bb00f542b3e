package io.junction.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.junction.config.ConfigProblems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RemoteSettingsTest {
  private static final Map<String, String> ENV = Map.of("ARCHIVE_PW", "s3cret-from-env");

  private static Optional<RemoteSettings> read(String hocon, ConfigProblems problems) {
    Config config = ConfigFactory.parseString(hocon);
    return RemoteSettingsConfig.read(config, "junction.endpoints.archive", problems, ENV::get);
  }

  private static String problemsText(ConfigProblems problems) {
    return problems.all().stream().map(Object::toString).collect(Collectors.joining("\n"));
  }

  @Test
  void readsSettingsWithPasswordFromEnvironmentAndAppliesDefaults() {
    ConfigProblems problems = new ConfigProblems();
    RemoteSettings s =
        read(
                """
                junction.endpoints.archive {
                  protocol = ftps, host = files.example.com, username = arch
                  password-env = ARCHIVE_PW, data-timeout = 5s, buffer-size = 128KiB
                }
                """,
                problems)
            .orElseThrow();
    assertTrue(problems.isEmpty(), problemsText(problems));
    assertEquals(Protocol.FTPS_EXPLICIT, s.protocol());
    assertEquals(21, s.port());
    assertEquals("s3cret-from-env", s.password().reveal());
    assertEquals(Duration.ofSeconds(5), s.dataTimeout());
    assertEquals(128 * 1024, s.bufferSize());
    assertTrue(s.passive());
    assertTrue(s.binary());
    assertEquals("files.example.com:21", s.server());
  }

  @Test
  void readsPasswordFromFileWithoutItsLineEnd(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("pw"), "from-file\n");
    ConfigProblems problems = new ConfigProblems();
    RemoteSettings s =
        read(
                "junction.endpoints.archive { protocol = ftp, host = h, username = u,"
                    + " password-file = \""
                    + file
                    + "\" }",
                problems)
            .orElseThrow();
    assertEquals("from-file", s.password().reveal());
  }

  @Test
  void toStringNeverShowsSecrets() {
    RemoteSettings s =
        RemoteSettings.of(Protocol.FTPS_EXPLICIT, "h", 0, "u")
            .withPassword("hunter2")
            .withTruststore(Path.of("t.p12"), "storepass");
    assertFalse(s.toString().contains("hunter2"), s.toString());
    assertFalse(s.toString().contains("storepass"), s.toString());
    assertTrue(s.toString().contains("******"));
  }

  @Test
  void reportsEveryProblemWithItsFullPath() {
    ConfigProblems problems = new ConfigProblems();
    Optional<RemoteSettings> s =
        read(
            """
            junction.endpoints.archive {
              protocol = gopher, username = u, password = inline
              password-env = NOT_SET, connect-timeout = soon
            }
            """,
            problems);
    assertTrue(s.isEmpty());
    String text = problemsText(problems);
    assertTrue(text.contains("junction.endpoints.archive.protocol: unknown protocol"), text);
    assertTrue(text.contains("junction.endpoints.archive.host: is required"), text);
    assertTrue(text.contains("junction.endpoints.archive.password: inline secrets"), text);
    assertTrue(
        text.contains("junction.endpoints.archive.password-env: environment variable"), text);
    assertTrue(text.contains("junction.endpoints.archive.connect-timeout"), text);
    assertFalse(text.contains("inline\""), text);
  }

  @Test
  void sftpWithoutHostKeyCheckIsAConfigError() {
    ConfigProblems problems = new ConfigProblems();
    read(
        "junction.endpoints.archive { protocol = sftp, host = h, username = u,"
            + " password-env = ARCHIVE_PW }",
        problems);
    assertTrue(problemsText(problems).contains("known-hosts-file or host-key-fingerprint"));
  }

  @Test
  void trustAllIsRefusedOutsideFtps() {
    assertThrows(
        IllegalArgumentException.class,
        () -> RemoteSettings.of(Protocol.FTP, "h", 0, "u").withTrustAll(true));
  }

  @Test
  void parsesUrlsIntoSettingsAndPath() {
    RemoteUrl ftp = RemoteUrl.parse("ftp://demo@127.0.0.1:2121/archive/in%20box/a.txt");
    assertEquals(Protocol.FTP, ftp.settings().protocol());
    assertEquals(2121, ftp.settings().port());
    assertEquals("demo", ftp.settings().username());
    assertNull(ftp.settings().password());
    assertEquals("/archive/in box/a.txt", ftp.path());

    RemoteUrl ftps = RemoteUrl.parse("ftps://u@files.example.com/x");
    assertEquals(Protocol.FTPS_EXPLICIT, ftps.settings().protocol());
    assertEquals(21, ftps.settings().port());
    assertEquals(990, RemoteUrl.parse("ftps+implicit://u@h/x").settings().port());

    RemoteUrl sftp = RemoteUrl.parse("sftp://u@h");
    assertEquals(Protocol.SFTP, sftp.settings().protocol());
    assertEquals(22, sftp.settings().port());
    assertEquals("/", sftp.path());
  }

  @Test
  void refusesPasswordsAndControlCharactersInUrls() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RemoteUrl.parse("ftp://u:pw@h/x"));
    assertFalse(e.getMessage().contains("pw@"));
    assertThrows(UnsafePathException.class, () -> RemoteUrl.parse("ftp://u@h/a%0D%0ADELE%20b"));
    assertThrows(IllegalArgumentException.class, () -> RemoteUrl.parse("http://u@h/x"));
  }
}
