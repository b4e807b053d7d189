using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;

namespace PlanAct.IO;

/// <summary>Another process writes the file or folder: nothing is sent or written.</summary>
internal sealed class WriterLockedException(string path, string holder)
    : Exception($"{path} is being written by another planact process ({holder}); wait for it to finish, or stop it")
{
    public string Path { get; } = path;
}

/// <summary>
/// One writer per file: an exclusive OS lock (<c>flock</c> on Linux, taken by <see cref="FileShare.None"/>) on
/// <c>&lt;path&gt;.lock</c>, held while the process writes <c>path</c>. The operating system releases it when the process
/// ends, however it ends, so a killed run never blocks the next. Who holds it (pid, host, command, since when) is kept in
/// <c>&lt;path&gt;.lock.json</c> for the message a second process shows. Within one process the lock is shared.
/// </summary>
internal sealed class WriterLock : IDisposable
{
    private static readonly ConcurrentDictionary<string, (FileStream Stream, int Holders)> Held = new(StringComparer.Ordinal);
    private static readonly Lock Gate = new();

    private readonly string _lockPath;
    private bool _released;

    private WriterLock(string lockPath) => _lockPath = lockPath;

    /// <exception cref="WriterLockedException">Another process holds the lock.</exception>
    public static WriterLock Acquire(string path) => Acquire(path, create: true)!;

    /// <summary>
    /// The lock of <paramref name="path"/> for a process that only reads it (a dry run): taken when its lock file exists,
    /// so a writer at work is respected, and null when there is none; nothing is created.
    /// </summary>
    /// <exception cref="WriterLockedException">Another process holds the lock.</exception>
    public static WriterLock? AcquireIfPresent(string path) => Acquire(path, create: false);

    private static WriterLock? Acquire(string path, bool create)
    {
        var full = System.IO.Path.GetFullPath(path);
        var lockPath = full + ".lock";
        lock (Gate)
        {
            if (Held.TryGetValue(lockPath, out var held))
            {
                Held[lockPath] = (held.Stream, held.Holders + 1);
                return new WriterLock(lockPath);
            }

            if (!create && !File.Exists(lockPath))
            {
                return null;
            }

            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(lockPath)!);
            FileStream stream;
            try
            {
                stream = new FileStream(lockPath, create ? FileMode.OpenOrCreate : FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            }
            catch (FileNotFoundException)
            {
                return null;
            }
            catch (IOException)
            {
                throw new WriterLockedException(full, Holder(lockPath));
            }

            Held[lockPath] = (stream, 1);
            File.WriteAllText(lockPath + ".json", JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["pid"] = Environment.ProcessId.ToString(CultureInfo.InvariantCulture),
                ["host"] = Environment.MachineName,
                ["command"] = string.Join(' ', Environment.GetCommandLineArgs()),
                ["since"] = DateTimeOffset.UtcNow.ToString("u", CultureInfo.InvariantCulture),
            }));
            return new WriterLock(lockPath);
        }
    }

    public void Dispose()
    {
        lock (Gate)
        {
            if (_released || !Held.TryGetValue(_lockPath, out var held))
            {
                return;
            }

            _released = true;
            if (held.Holders > 1)
            {
                Held[_lockPath] = (held.Stream, held.Holders - 1);
                return;
            }

            Held.TryRemove(_lockPath, out _);
            held.Stream.Dispose();
        }
    }

    private static string Holder(string lockPath)
    {
        try
        {
            var info = JsonSerializer.Deserialize<Dictionary<string, string>>(File.ReadAllText(lockPath + ".json"));
            return info is null ? "holder unknown" : $"pid {info.GetValueOrDefault("pid")} on {info.GetValueOrDefault("host")}, since {info.GetValueOrDefault("since")}: {info.GetValueOrDefault("command")}";
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            return "holder unknown";
        }
    }
}
