using System.Buffers;
using System.Collections.Concurrent;
using System.IO.Hashing;

namespace PlanAct.IO;

/// <summary>
/// Digests of files' contents (XXH128: a pipeline that is up to date reads every input and output it has, hundreds of
/// megabytes, to know it; a cryptographic hash would take most of that time, and nothing here is adversarial),
/// remembered for the process while a file keeps its length and write time: a pipeline fingerprints its trajectories
/// for every stage that reads them, and they are read once.
/// </summary>
internal static class FileDigests
{
    private static readonly ConcurrentDictionary<string, (long Length, DateTime Written, byte[] Digest)> Known = new(StringComparer.Ordinal);

    /// <summary>
    /// The digest of a file's contents, or of each file of a folder and below with its relative name, in ordinal order
    /// (a format that writes a folder); none when nothing is there.
    /// </summary>
    public static async Task<IReadOnlyList<byte[]>> OfTreeAsync(string path, CancellationToken cancellationToken)
    {
        if (!Directory.Exists(path))
        {
            return await OfAsync(path, cancellationToken) is { } digest ? [digest] : [];
        }

        var digests = new List<byte[]>();
        foreach (var file in Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            digests.Add(System.Text.Encoding.UTF8.GetBytes(Path.GetRelativePath(path, file)));
            digests.Add(await OfAsync(file, cancellationToken) ?? []);
        }

        return digests;
    }

    /// <summary>The digest of <paramref name="path"/>'s contents, or null when there is no such file.</summary>
    private static async Task<byte[]?> OfAsync(string path, CancellationToken cancellationToken)
    {
        var file = new FileInfo(Path.GetFullPath(path));
        if (!file.Exists)
        {
            return null;
        }

        if (Known.TryGetValue(file.FullName, out var known) && known.Length == file.Length && known.Written == file.LastWriteTimeUtc)
        {
            return known.Digest;
        }

        var hash = new XxHash128();
        var buffer = ArrayPool<byte>.Shared.Rent(1 << 20);
        try
        {
            await using var stream = new FileStream(file.FullName, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.Asynchronous | FileOptions.SequentialScan);
            int read;
            while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
            {
                hash.Append(buffer.AsSpan(0, read));
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        var digest = hash.GetCurrentHash();

        Known[file.FullName] = (file.Length, file.LastWriteTimeUtc, digest);
        return digest;
    }
}
