package dev.guesthook.pve;

import com.code_intelligence.jazzer.junit.FuzzTest;

class ParserFuzzTest {
  @FuzzTest
  void vmConfig(byte[] data) {
    try {
      VmConfigParser.parse("/fuzz.conf", new String(data, java.nio.charset.StandardCharsets.UTF_8));
    } catch (PveFileException expected) {
      // Bad input is reported, never thrown as anything else.
    }
  }
}
