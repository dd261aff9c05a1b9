package dev.millrace.serialization.batch;

import org.agrona.MutableDirectBuffer;

/**
 * UTF-8 encoding of header keys straight into a buffer, matching {@code String.getBytes(UTF_8)} (an unpaired
 * surrogate becomes '?') without allocating a byte array per header. Stateless and thread-safe.
 */
final class Utf8
{
    private Utf8()
    {
    }

    static int encodedLength(final CharSequence s)
    {
        int length = 0;
        final int n = s.length();
        for (int i = 0; i < n; i++)
        {
            final char c = s.charAt(i);
            if (c < 0x80)
            {
                length++;
            }
            else if (c < 0x800)
            {
                length += 2;
            }
            else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1)))
            {
                length += 4;
                i++;
            }
            else if (Character.isSurrogate(c))
            {
                length++;
            }
            else
            {
                length += 3;
            }
        }
        return length;
    }

    static int encode(final CharSequence s, final MutableDirectBuffer out, final int index)
    {
        int p = index;
        final int n = s.length();
        for (int i = 0; i < n; i++)
        {
            final char c = s.charAt(i);
            if (c < 0x80)
            {
                out.putByte(p++, (byte)c);
            }
            else if (c < 0x800)
            {
                out.putByte(p++, (byte)(0xC0 | (c >> 6)));
                out.putByte(p++, (byte)(0x80 | (c & 0x3F)));
            }
            else if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1)))
            {
                final int cp = Character.toCodePoint(c, s.charAt(++i));
                out.putByte(p++, (byte)(0xF0 | (cp >> 18)));
                out.putByte(p++, (byte)(0x80 | ((cp >> 12) & 0x3F)));
                out.putByte(p++, (byte)(0x80 | ((cp >> 6) & 0x3F)));
                out.putByte(p++, (byte)(0x80 | (cp & 0x3F)));
            }
            else if (Character.isSurrogate(c))
            {
                out.putByte(p++, (byte)'?');
            }
            else
            {
                out.putByte(p++, (byte)(0xE0 | (c >> 12)));
                out.putByte(p++, (byte)(0x80 | ((c >> 6) & 0x3F)));
                out.putByte(p++, (byte)(0x80 | (c & 0x3F)));
            }
        }
        return p - index;
    }
}
