package io.junction.ftp;

import java.io.IOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.apache.commons.net.ftp.FTPClient;
import org.apache.commons.net.ftp.FTPReply;

/**
 * The file digests an FTP server computes, so that a download can be checked against what the
 * server holds, beyond its size. Servers advertise them in FEAT:
 *
 * <ul>
 *   <li>{@code HASH} (draft-bryan-ftpext-hash; FileZilla Server, ProFTPD mod_digest): {@code HASH
 *       SHA-256;SHA-1*;MD5} lists the algorithms, {@code *} marks the selected one, {@code OPTS
 *       HASH alg} selects another; the reply is {@code 213 SHA-256 0-49 <hex> <path>}.
 *   <li>{@code MD5} (draft-twine-ftpmd5; Apache FtpServer): {@code 251 <path> <HEX>}.
 *   <li>{@code XSHA256}, {@code XSHA1}, {@code XMD5} (Serv-U, ProFTPD, others): the hex is the last
 *       word of the reply.
 * </ul>
 *
 * The strongest algorithm offered is chosen. Downloads ({@link ResumingDownload}) and safe uploads
 * ({@link SafeUpload}, before the rename) are checked with it. A server that lists none (vsftpd,
 * for one) is checked by size alone.
 */
final class FtpDigests {
  private FtpDigests() {}

  /** How to ask one server: the command, the JCA algorithm, and whether OPTS must select it. */
  record Method(String command, String algorithm, boolean needsSelection) {}

  /** HASH algorithms in order of preference; the names are also JCA MessageDigest names. */
  private static final List<String> HASH_PREFERENCE = List.of("SHA-256", "SHA-512", "SHA-1", "MD5");

  /** Single-purpose commands in order of preference, with their algorithm. */
  private static final List<Method> LEGACY =
      List.of(
          new Method("XSHA256", "SHA-256", false),
          new Method("XSHA1", "SHA-1", false),
          new Method("MD5", "MD5", false),
          new Method("XMD5", "MD5", false));

  /** What the server offers, from its FEAT reply (sent once; commons-net caches it). */
  static Optional<Method> offered(FTPClient client) throws IOException {
    String[] hash = client.featureValues("HASH");
    if (hash != null) {
      Optional<Method> m = chooseHash(String.join(";", hash));
      if (m.isPresent()) return m;
    }
    for (Method m : LEGACY) if (client.hasFeature(m.command())) return Optional.of(m);
    return Optional.empty();
  }

  /** The preferred algorithm of a FEAT {@code HASH} value such as {@code SHA-256;SHA-1*;MD5}. */
  static Optional<Method> chooseHash(String featValue) {
    String[] offered = featValue.toUpperCase(Locale.ROOT).split("[;\\s]+");
    for (String wanted : HASH_PREFERENCE)
      for (String o : offered)
        if (o.equals(wanted) || o.equals(wanted + "*"))
          return Optional.of(new Method("HASH", wanted, !o.endsWith("*")));
    return Optional.empty();
  }

  /**
   * Selects the method's algorithm if it must be ({@code OPTS HASH}); false if the server refused.
   */
  static boolean select(FTPClient client, Method m) throws IOException {
    return !m.needsSelection()
        || FTPReply.isPositiveCompletion(client.sendCommand("OPTS", "HASH " + m.algorithm()));
  }

  /** The server's digest of {@code path} in lower-case hex, or empty if it did not give one. */
  static Optional<String> query(FTPClient client, Method m, String path) throws IOException {
    if (!FTPReply.isPositiveCompletion(client.sendCommand(m.command(), path)))
      return Optional.empty();
    return parse(m, client.getReplyString());
  }

  /** The hex digest in a positive reply to {@code m}'s command, if it holds one. */
  static Optional<String> parse(Method m, String reply) {
    String[] words = reply.strip().split("\\s+", m.command().equals("HASH") ? 5 : -1);
    // HASH: "213 <algorithm> <range> <hex> <path>"; the others end with the hex
    String hex = m.command().equals("HASH") ? (words.length > 3 ? words[3] : "") : last(words);
    return hex.length() == hexLength(m.algorithm()) && hex.matches("[0-9a-fA-F]+")
        ? Optional.of(hex.toLowerCase(Locale.ROOT))
        : Optional.empty();
  }

  /** The server's digest of a file beside the digest of the bytes transferred here (hex). */
  record Check(String algorithm, String server, String here) {
    boolean matches() {
      return server.equals(here);
    }
  }

  /**
   * Compares the server's digest of {@code path} with {@code digest} (of the bytes this side sent
   * or received, which it completes); empty if the server gave none.
   */
  static Optional<Check> check(RemoteSession session, String path, MessageDigest digest)
      throws IOException {
    String here = HexFormat.of().formatHex(digest.digest());
    return session.digest(path).map(there -> new Check(digest.getAlgorithm(), there, here));
  }

  /** A fresh digest for a name {@link RemoteSession#digestAlgorithm()} gave. */
  static MessageDigest newDigest(String algorithm) {
    try {
      return MessageDigest.getInstance(algorithm);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is a standard JCA algorithm", e);
    }
  }

  private static String last(String[] words) {
    return words.length > 1 ? words[words.length - 1] : "";
  }

  private static int hexLength(String algorithm) {
    return switch (algorithm) {
      case "MD5" -> 32;
      case "SHA-1" -> 40;
      case "SHA-256" -> 64;
      case "SHA-512" -> 128;
      default -> -1;
    };
  }
}
