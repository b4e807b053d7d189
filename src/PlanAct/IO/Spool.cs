namespace PlanAct.IO;

/// <summary>
/// A scratch file of pieces appended in one order and copied out in another: what a pipeline stage prepares while the
/// stage it follows runs, put in that stage's output order at the end. The file has a fixed name, is made anew (one
/// left by a killed run is overwritten; one in use by another run refuses) and is deleted when closed.
/// </summary>
internal sealed class Spool : IAsyncDisposable
{
    private readonly FileStream _stream;
    private readonly byte[] _buffer = new byte[1 << 16];

    public Spool(string path)
    {
        Path = path;
        _stream = new FileStream(path, FileMode.Create, FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose);
    }

    public string Path { get; }

    /// <summary>Where the next piece starts.</summary>
    public long Position => _stream.Position;

    /// <summary>Appends a piece, on the calling thread (a follower's own: it waits on no other).</summary>
    public void Append(ReadOnlySpan<byte> bytes) => _stream.Write(bytes);

    /// <summary>Hands what was appended to the file, so that it can be copied out.</summary>
    public void Flush() => _stream.Flush();

    /// <summary>Copies the piece at <paramref name="start"/> to <paramref name="target"/> (after <see cref="Flush"/>; one copy at a time).</summary>
    public async Task CopyAsync(long start, long length, Stream target, string what, CancellationToken cancellationToken)
    {
        for (var done = 0L; done < length;)
        {
            var read = await RandomAccess.ReadAsync(_stream.SafeFileHandle, _buffer.AsMemory(0, (int)Math.Min(_buffer.Length, length - done)), start + done, cancellationToken);
            if (read == 0)
            {
                throw new IOException($"{Path}: ends before {what}");
            }

            await target.WriteAsync(_buffer.AsMemory(0, read), cancellationToken);
            done += read;
        }
    }

    public ValueTask DisposeAsync() => _stream.DisposeAsync();
}
