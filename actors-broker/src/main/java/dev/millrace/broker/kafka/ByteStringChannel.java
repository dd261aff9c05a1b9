package dev.millrace.broker.kafka;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;

import org.apache.kafka.common.network.Send;
import org.apache.kafka.common.network.TransferableChannel;
import org.apache.pekko.util.ByteString;

/**
 * Turns a kafka-clients {@link Send} into one {@link ByteString} for the Pekko Streams listener
 * ({@code io = pekko-streams}), without copying heap bytes: every heap buffer the send writes becomes a slice of the
 * resulting rope. Direct buffers, which a {@code ByteString} cannot wrap, are copied, and so are file regions (a fetch
 * response's {@link RegionRecords}): {@link #transferFrom} reads them into a new array, since a {@code ByteString}
 * cannot refer to a file.
 *
 * <p>Threading: one instance per response, confined to the thread that builds it.
 */
final class ByteStringChannel implements TransferableChannel
{
    private ByteString collected = ByteString.emptyByteString();

    /** Writes the whole send and returns its bytes. */
    static ByteString collect(final Send send)
    {
        final ByteStringChannel channel = new ByteStringChannel();
        try
        {
            while (!send.completed())
            {
                send.writeTo(channel);
            }
        }
        catch (final ClosedChannelException ex)
        {
            final IOException closed = new SocketTransferableChannel.SegmentClosedException(ex);
            throw new UncheckedIOException(closed.getMessage(), closed);
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException("reading a response into memory failed: " + ex, ex);
        }
        if (channel.collected.size() != send.size())
        {
            throw new IllegalStateException("a response of " + send.size() + " bytes wrote " + channel.collected.size());
        }
        return channel.bytes();
    }

    /** What was written so far. */
    ByteString bytes()
    {
        return collected;
    }

    @Override
    public int write(final ByteBuffer source)
    {
        final int length = source.remaining();
        if (length == 0)
        {
            return 0;
        }
        final ByteString slice = source.hasArray() ?
            ByteString.fromArrayUnsafe(source.array(), source.arrayOffset() + source.position(), length) :
            ByteString.fromByteBuffer(source.duplicate());
        source.position(source.limit());
        collected = collected.concat(slice);
        return length;
    }

    @Override
    public long write(final ByteBuffer[] sources, final int offset, final int length)
    {
        long written = 0;
        for (int i = offset; i < offset + length; i++)
        {
            written += write(sources[i]);
        }
        return written;
    }

    @Override
    public long write(final ByteBuffer[] sources)
    {
        return write(sources, 0, sources.length);
    }

    @Override
    public long transferFrom(final FileChannel fileChannel, final long position, final long count) throws IOException
    {
        // A fetch response's region of a segment file: read, since a ByteString cannot refer to a file.
        final ByteBuffer bytes = ByteBuffer.allocate(Math.toIntExact(count));
        while (bytes.hasRemaining())
        {
            if (fileChannel.read(bytes, position + bytes.position()) < 0)
            {
                throw new IOException("file ended at " + (position + bytes.position()) + " of a transfer of " + count +
                    " bytes from " + position);
            }
        }
        bytes.flip();
        return write(bytes);
    }

    @Override
    public boolean hasPendingWrites()
    {
        return false;
    }

    @Override
    public boolean isOpen()
    {
        return true;
    }

    @Override
    public void close()
    {
    }
}
