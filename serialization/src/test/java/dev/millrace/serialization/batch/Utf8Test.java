package dev.millrace.serialization.batch;

import static org.junit.jupiter.api.Assertions.*;

import java.nio.charset.StandardCharsets;

import org.agrona.concurrent.UnsafeBuffer;
import org.junit.jupiter.api.Test;

class Utf8Test
{
    @Test
    void shouldEncodeHeaderKeysExactlyAsStringGetBytes()
    {
        final String[] keys = {
            "", "plain", "é", "ключ", "键", "\uD83D\uDE00", "lone-high-\uD800", "lone-low-\uDC00x", "\uDBFF\uDFFF", "a\u0000b", "\u07FF\u0800\uFFFF" };
        final UnsafeBuffer buffer = new UnsafeBuffer(new byte[64]);
        for (final String key : keys)
        {
            final byte[] expected = key.getBytes(StandardCharsets.UTF_8);
            assertEquals(expected.length, Utf8.encodedLength(key), key);
            assertEquals(expected.length, Utf8.encode(key, buffer, 1), key);
            final byte[] actual = new byte[expected.length];
            buffer.getBytes(1, actual);
            assertArrayEquals(expected, actual, key);
        }
    }
}
