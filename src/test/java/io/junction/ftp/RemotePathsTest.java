package io.junction.ftp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class RemotePathsTest {

  @Test
  void joinsSafeRelativeNamesToTheBaseDirectory() {
    assertEquals("archive/2026/a.json", RemotePaths.resolve("archive", "2026/a.json"));
    assertEquals("/archive/a.json", RemotePaths.resolve("/archive/", "a.json"));
  }

  @Test
  void refusesTraversalAbsolutePathsAndControlCharactersInNames() {
    for (String bad :
        new String[] {
          "../etc/passwd",
          "a/../../b",
          "..",
          "a\\..\\b",
          "/etc/passwd",
          "\\share",
          "C:\\x",
          "a\0b",
          "a\r\nDELE b",
          "tab\there",
          "",
          "del\u007f"
        }) {
      assertThrows(UnsafePathException.class, () -> RemotePaths.resolve("archive", bad), bad);
    }
  }

  @Test
  void keepsRemoteNamesInsideTheLocalDirectory() {
    Path dir = Path.of("/tmp/inbox");
    assertEquals(dir.resolve("a.txt"), RemotePaths.localTarget(dir, "a.txt"));
    for (String bad : new String[] {"..", ".", "../x", "a/b", "..\\..\\x", "c:x", "a\nb", ""}) {
      assertThrows(UnsafePathException.class, () -> RemotePaths.localTarget(dir, bad), bad);
    }
  }

  @Test
  void splitsRemotePathsIntoParentAndName() {
    assertEquals("b.txt", RemotePaths.fileName("a/b.txt"));
    assertEquals("a", RemotePaths.parent("a/b.txt"));
    assertEquals("/", RemotePaths.parent("/b.txt"));
    assertEquals("", RemotePaths.parent("b.txt"));
    assertEquals("a/.b.txt.part", SafeUpload.partName("a/b.txt"));
    assertEquals(".b.txt.part", SafeUpload.partName("b.txt"));
  }
}
