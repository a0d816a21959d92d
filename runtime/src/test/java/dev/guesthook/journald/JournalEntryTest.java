package dev.guesthook.journald;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** journald's native protocol, byte for byte, and values that would not show as text. */
class JournalEntryTest {
  @Test
  void oneLineValuesAreKeyEqualsValue() {
    assertEquals(
        "MESSAGE=ok\nPRIORITY=6\nSYSLOG_IDENTIFIER=guesthook\nVMID=101\n",
        new String(
            JournalEntry.message(Priority.INFO, "ok").with("VMID", "101").encode(),
            StandardCharsets.UTF_8));
  }

  @Test
  void aValueWithANewlineIsSentWithItsLengthAsSixtyFourBitLittleEndian() {
    ByteArrayOutputStream expected = new ByteArrayOutputStream();
    expected.writeBytes("MESSAGE\n".getBytes(StandardCharsets.UTF_8));
    expected.writeBytes(new byte[] {6, 0, 0, 0, 0, 0, 0, 0});
    expected.writeBytes(
        "a\nb ä\n"
            .getBytes(StandardCharsets.UTF_8)); // 6 bytes (ä is two in UTF-8), then the newline
    expected.writeBytes(
        "PRIORITY=3\nSYSLOG_IDENTIFIER=guesthook\n".getBytes(StandardCharsets.UTF_8));
    assertArrayEquals(
        expected.toByteArray(), JournalEntry.message(Priority.ERR, "a\nb ä").encode());
  }

  @Test
  void controlCharactersOtherThanNewlineAndTabAreEscapedNotSent() {
    assertEquals(
        "nul\\x00 esc\\x1b del\\x7f tab\tok",
        JournalEntry.message(Priority.INFO, "nul\u0000 esc\u001b del\u007f tab\tok")
            .fields()
            .get("MESSAGE"));
  }

  @Test
  void aValueTooLongForOneDatagramIsCutAndSaysSo() {
    String message =
        JournalEntry.message(Priority.INFO, "x".repeat(100_000)).fields().get("MESSAGE");
    assertEquals("x".repeat(JournalEntry.MAX_VALUE_CHARS) + " [cut at 16384 characters]", message);
  }

  @Test
  void aFieldNameJournaldWouldRefuseIsRefused() {
    JournalEntry entry = JournalEntry.message(Priority.INFO, "ok");
    for (String name :
        new String[] {"vmid", "_PID", "1ST", "HOOK NAME", "A=B", "", "X".repeat(65)}) {
      IllegalArgumentException refused =
          assertThrows(IllegalArgumentException.class, () -> entry.with(name, "v"), name);
      assertEquals("not a journal field name: '" + name + "'", refused.getMessage());
    }
  }
}
