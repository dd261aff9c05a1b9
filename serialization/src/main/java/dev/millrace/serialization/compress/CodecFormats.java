package dev.millrace.serialization.compress;

/**
 * Byte-level constants of the framings kafka-clients 4.x puts around compressed records, shared by
 * {@link BatchCompressor} and {@link BatchDecompressor}.
 *
 * <p>LZ4 (Kafka's {@code Lz4BlockOutputStream}): the LZ4 frame format
 * <pre>
 *   magic 0x184D2204 (LE) | FLG 0x60 | BD 0x40 | HC | { block size (LE int32, bit 31 = stored raw) | data }* | 0 (LE int32)
 * </pre>
 * FLG = version 01, independent blocks, no block checksum, no content size, no content checksum; BD = 64 KiB
 * blocks; HC = second byte of XXH32(FLG, BD; seed 0). A block that does not shrink is stored raw.
 *
 * <p>Snappy (xerial {@code SnappyOutputStream}):
 * <pre>
 *   0x82 'S' 'N' 'A' 'P' 'P' 'Y' 0x00 | version 1 (BE int32) | compatible version 1 (BE int32) | { length (BE int32) | raw snappy }*
 * </pre>
 * with 32 KiB of input per chunk.
 */
final class CodecFormats
{
    static final int LZ4_MAGIC = 0x184D2204;
    static final byte LZ4_FLG = 0x60;
    static final byte LZ4_BD_64KB = 0x40;
    static final int LZ4_BLOCK_SIZE = 64 * 1024;
    static final int LZ4_UNCOMPRESSED_FLAG = 0x80000000;
    static final int LZ4_FLG_VERSION_MASK = 0xC0;
    static final int LZ4_FLG_VERSION = 0x40;
    static final int LZ4_FLG_RESERVED_MASK = 0x03;
    static final int LZ4_FLG_BLOCK_CHECKSUM = 0x10;
    static final int LZ4_FLG_CONTENT_SIZE = 0x08;
    static final int LZ4_FLG_CONTENT_CHECKSUM = 0x04;

    static final byte[] SNAPPY_MAGIC = { (byte)0x82, 'S', 'N', 'A', 'P', 'P', 'Y', 0 };
    static final int SNAPPY_VERSION = 1;
    static final int SNAPPY_COMPATIBLE_VERSION = 1;
    static final int SNAPPY_HEADER_LENGTH = SNAPPY_MAGIC.length + 8;
    static final int SNAPPY_BLOCK_SIZE = 32 * 1024;

    static final int GZIP_BUFFER_SIZE = 8 * 1024;

    private CodecFormats()
    {
    }
}
