using System.Globalization;
using System.Text;
using System.Text.Json.Serialization;
using Parquet;
using Parquet.Serialization;
using PlanAct.Training.Profiles;

namespace PlanAct.Export;

/// <summary>
/// A Hugging Face dataset folder: Parquet files under <c>data/&lt;config&gt;/&lt;split&gt;-00000.parquet</c>, one config
/// per role (planner, executor, dynamic-executor, replanner), and a README whose YAML front matter declares the configs
/// and splits (written with the dataset card). Rows: <c>id</c>, <c>kind</c>, <c>site</c>, <c>task</c>, <c>messages</c>
/// (a list of <c>{role, content}</c>), <c>reasoning</c>, <c>source</c> (<c>{trajectory, step, plan}</c>), <c>teacher</c>.
/// Row groups are cut at <see cref="MaxRowGroupBytes"/> of text, far under the Hub viewer's limit. With a validation
/// fraction, whole groups go to the validation split (<see cref="ExampleSplit"/>): the same split on every export, and
/// no trajectory on both sides.
/// </summary>
/// <param name="split">The train / validation split; none for train only.</param>
/// <param name="maxRowGroupBytes">The text a row group holds at most before the next begins.</param>
internal sealed class HuggingFaceFormat(ExampleSplit? split = null, long maxRowGroupBytes = HuggingFaceFormat.DefaultRowGroupBytes) : IExportFormat
{
    /// <summary>64 MiB of text: compressed, well under the viewer's ~286 MiB and the 100 MiB we promise.</summary>
    public const long DefaultRowGroupBytes = 64L << 20;

    public string Name => "hf";

    public ExampleSplit Split { get; } = split ?? ExampleSplit.None;

    public long MaxRowGroupBytes => maxRowGroupBytes;

    public bool WritesFolder => true;

    public string DefaultCardPath(string output) => Path.Combine(Path.GetFullPath(output), "README.md");

    public async Task<FormatResult> WriteAsync(string path, IAsyncEnumerable<ExportedExample> examples, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(path);
        var staging = Path.Combine(path, $".data-{Guid.NewGuid():N}");
        var files = new SortedDictionary<(string Config, string Split), RowGroupFile>();
        var written = 0;
        try
        {
            await foreach (var example in examples.WithCancellation(cancellationToken))
            {
                var config = AgentRoles.Name(example.Role);
                var part = Split.SplitOf(example.Example);
                if (!files.TryGetValue((config, part), out var file))
                {
                    file = files[(config, part)] = new RowGroupFile(Path.Combine(staging, config, $"{part}-00000.parquet"), maxRowGroupBytes);
                }

                await file.AddAsync(HfRow.Of(example), cancellationToken);
                written++;
            }

            foreach (var file in files.Values)
            {
                await file.FlushAsync(cancellationToken);
            }

            var data = Path.Combine(path, "data");
            if (Directory.Exists(data))
            {
                Directory.Delete(data, recursive: true);
            }

            Directory.CreateDirectory(staging);
            Directory.Move(staging, data);
        }
        finally
        {
            if (Directory.Exists(staging))
            {
                Directory.Delete(staging, recursive: true);
            }
        }

        return new FormatResult(written) { CardFrontMatter = FrontMatter(files.Keys, written) };
    }

    public string TrainerSnippet(string output) => $$"""
        Hugging Face `datasets` (one config per role; push the folder to the Hub as it is):

        ```python
        from datasets import load_dataset
        executor = load_dataset("{{Path.GetFileName(Path.TrimEndingDirectorySeparator(output))}}", "executor")   # or the Hub repo id after `huggingface-cli upload`
        ```

        Each row's `messages` is a chat whose last message is the target; TRL's `SFTTrainer` takes it with `assistant_only_loss=True`.
        """;

    private static string FrontMatter(IEnumerable<(string Config, string Split)> files, int written)
    {
        var sb = new StringBuilder("---\nconfigs:\n");
        foreach (var config in files.GroupBy(f => f.Config))
        {
            sb.Append(CultureInfo.InvariantCulture, $"- config_name: {config.Key}\n  data_files:\n");
            foreach (var (_, split) in config.OrderBy(f => f.Split == "train" ? 0 : 1))
            {
                sb.Append(CultureInfo.InvariantCulture, $"  - split: {split}\n    path: data/{config.Key}/{split}-*.parquet\n");
            }
        }

        sb.Append("license: other\ntask_categories:\n- text-generation\nlanguage:\n- en\n");
        sb.Append(CultureInfo.InvariantCulture, $"size_categories:\n- {SizeCategory(written)}\n");
        sb.Append("tags:\n- web-agents\n- planning\n- plan-and-act\n- planact\n---\n");
        return sb.ToString();
    }

    private static string SizeCategory(int rows) => rows switch
    {
        < 1_000 => "n<1K",
        < 10_000 => "1K<n<10K",
        < 100_000 => "10K<n<100K",
        < 1_000_000 => "100K<n<1M",
        _ => "1M<n<10M",
    };

    /// <summary>One Parquet file written a row group at a time: rows are held until their text reaches the limit.</summary>
    private sealed class RowGroupFile(string path, long maxBytes)
    {
        private readonly List<HfRow> _rows = [];
        private long _bytes;
        private bool _started;

        public async Task AddAsync(HfRow row, CancellationToken cancellationToken)
        {
            _rows.Add(row);
            _bytes += row.TextBytes;
            if (_bytes >= maxBytes)
            {
                await FlushAsync(cancellationToken);
            }
        }

        public async Task FlushAsync(CancellationToken cancellationToken)
        {
            if (_rows.Count == 0)
            {
                return;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await using (var stream = new FileStream(path, _started ? FileMode.Open : FileMode.CreateNew, FileAccess.ReadWrite))
            {
                await ParquetSerializer.SerializeAsync(_rows, stream, new ParquetOptions { Append = _started, RowGroupSize = _rows.Count }, cancellationToken: cancellationToken);
            }

            (_started, _bytes) = (true, 0);
            _rows.Clear();
        }
    }
}

/// <summary>What keeps an example's split: its trajectory, else its plan, else its own id.</summary>
/// <summary>One row of the Hugging Face export.</summary>
internal sealed class HfRow
{
    [JsonPropertyName("id")] public string Id { get; set; } = "";

    [JsonPropertyName("kind")] public string Kind { get; set; } = "";

    [JsonPropertyName("site")] public string Site { get; set; } = "";

    [JsonPropertyName("task")] public string Task { get; set; } = "";

    [JsonPropertyName("messages")] public List<HfMessage> Messages { get; set; } = [];

    [JsonPropertyName("reasoning")] public string? Reasoning { get; set; }

    [JsonPropertyName("source")] public HfSource Source { get; set; } = new();

    [JsonPropertyName("teacher")] public string? Teacher { get; set; }

    [JsonIgnore] public long TextBytes => Task.Length + (Reasoning?.Length ?? 0) + Messages.Sum(m => (long)m.Content.Length);

    public static HfRow Of(ExportedExample exported)
    {
        var example = exported.Example;
        return new HfRow
        {
            Id = example.Id,
            Kind = AgentRoles.Name(exported.Role),
            Site = example.Site,
            Task = example.Task,
            Messages = [.. exported.Messages.Select(m => new HfMessage { Role = Training.ExampleNames.Of(m.Role), Content = m.Content })],
            Reasoning = example.Reasoning,
            Source = new HfSource { Trajectory = example.Source.Trajectory, Step = example.Source.Step, Plan = example.Source.Plan },
            Teacher = example.Teacher,
        };
    }
}

internal sealed class HfMessage
{
    [JsonPropertyName("role")] public string Role { get; set; } = "";

    [JsonPropertyName("content")] public string Content { get; set; } = "";
}

internal sealed class HfSource
{
    [JsonPropertyName("trajectory")] public string? Trajectory { get; set; }

    [JsonPropertyName("step")] public int? Step { get; set; }

    [JsonPropertyName("plan")] public string? Plan { get; set; }
}
