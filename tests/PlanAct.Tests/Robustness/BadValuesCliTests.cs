using PlanAct.Tests.Cli;

namespace PlanAct.Tests.Robustness;

/// <summary>
/// Every bad value of issue 18, tried as a user would: each was found doing what the test names first (a crash, a
/// silent acceptance, a message in .NET's words) and now stops with its location and the documented exit code.
/// </summary>
public class BadValuesCliTests
{
    private static readonly string Trajectories = Path.Combine(TestPaths.Samples, "trajectories.jsonl");

    private static async Task<(PlanactProcess.Result Result, string Dir)> AnnotateWithConfigAsync(string yaml)
    {
        var dir = TestPaths.TempDir();
        var config = Path.Combine(dir, "config.yaml");
        await File.WriteAllTextAsync(config, yaml);
        var result = await PlanactCli.RunAsync("annotate", "--input", Trajectories, "--out", Path.Combine(dir, "plans.jsonl"), "--config", config, "--dry-run", "--ledger", Path.Combine(dir, "ledger.db"));
        Handled.Assert(result, yaml);
        return (result, dir);
    }

    [Fact]
    public async Task Attempts_0_in_a_config_was_an_unhandled_exception_and_is_an_error_at_its_line()
    {
        var (result, dir) = await AnnotateWithConfigAsync("teacher: { model: m }\nstages:\n  annotate: { attempts: 0 }\n");
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("config.yaml:3: not a valid teacher configuration: attempts must be at least 1; got 0", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(dir, "ledger.db")));
    }

    [Fact]
    public async Task Attempts_0_in_a_pipeline_was_an_unhandled_exception_and_is_an_error_at_its_line_before_the_run_directory_exists()
    {
        var dir = TestPaths.TempDir();
        var pipeline = Path.Combine(dir, "pipeline.yaml");
        await File.WriteAllTextAsync(pipeline, $"inputs: {{ trajectories: {Trajectories} }}\nrun_dir: run\nstages:\n  annotate:\n    attempts: 0\n");
        var result = await PlanactCli.RunAsync("run", pipeline);
        Handled.Assert(result, "pipeline");
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("pipeline.yaml:5: not a valid pipeline: attempts must be at least 1; got 0", result.Stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(dir, "run")));
    }

    [Fact]
    public async Task Max_output_tokens_minus_1_was_accepted_as_up_to_minus_17_tokens_and_is_an_error_at_its_line()
    {
        var (result, _) = await AnnotateWithConfigAsync("teacher: { model: m }\nstages:\n  annotate:\n    max_output_tokens: -1\n");
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("config.yaml:4: not a valid teacher configuration: max_output_tokens must be at least 1; got -1", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("output tokens", result.Stdout, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("teacher: { temperature: 3 }\n", "temperature must be between 0 and 2; got 3")]
    [InlineData("teacher: { concurrency: 0 }\n", "concurrency must be at least 1; got 0")]
    [InlineData("teacher: { timeout_seconds: 0 }\n", "timeout_seconds must be more than 0; got 0")]
    [InlineData("teacher: { max_retries: -1 }\n", "max_retries must be at least 0; got -1")]
    public async Task Every_teacher_number_is_checked_at_its_line(string yaml, string message)
    {
        var (result, _) = await AnnotateWithConfigAsync(yaml);
        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"config.yaml:1: not a valid teacher configuration: {message}", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_yaml_said_operation_is_not_valid_and_now_names_the_unclosed_bracket()
    {
        var (result, _) = await AnnotateWithConfigAsync("teacher: {model: m\nstages: [\n");
        Assert.Equal(3, result.ExitCode);
        Assert.Contains("config.yaml:1: not a valid teacher configuration: malformed YAML: a '{' or '[' opened here is not closed", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Operation is not valid", result.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("teacher: { model: m, bogus: 1 }\n", "config.yaml:1", "unknown key \"bogus\" (known here: api_key, attempts, base_url, concurrency")]
    [InlineData("stages:\n  annotate: { attemps: 2 }\n", "config.yaml:2", "unknown key \"attemps\" (known here: attempts, max_output_tokens, model, options, seed, temperature)")]
    [InlineData("teacher: [1]\n", "config.yaml:1", "expected a mapping (key: value lines) here")]
    public async Task An_unknown_key_or_a_wrong_kind_of_value_leaked_dotnet_type_names_and_is_said_in_the_files_words(string yaml, string location, string message)
    {
        var (result, _) = await AnnotateWithConfigAsync(yaml);
        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"{location}: not a valid teacher configuration: {message}", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("PlanAct.", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("System.", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_encoding_nonsense_was_an_unhandled_exception_and_is_a_command_line_error()
    {
        var result = await PlanactCli.RunAsync("inspect", Trajectories, "--encoding", "nonsense");
        Handled.Assert(result, "inspect");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--encoding: unknown encoding \"nonsense\" (use o200k or cl100k)", result.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Shard_5_of_4_was_refused_after_the_ledger_was_made_and_is_refused_before_anything_exists()
    {
        var dir = TestPaths.TempDir();
        var run = await PlanactCli.RunAsync("run", Path.Combine(TestPaths.Samples, "pipeline.yaml"), "--run-dir", Path.Combine(dir, "run"), "--shard", "5/4");
        var annotate = await PlanactCli.RunAsync("annotate", "--input", Trajectories, "--out", Path.Combine(dir, "plans.jsonl"), "--shard", "5/4", "--dry-run", "--ledger", Path.Combine(dir, "ledger.db"));
        foreach (var result in new[] { run, annotate })
        {
            Handled.Assert(result, "shard");
            Assert.Equal(2, result.ExitCode);
            Assert.Contains("--shard \"5/4\" is not i/n with 1 <= i <= n", result.Stderr, StringComparison.Ordinal);
        }

        Assert.Empty(Directory.EnumerateFileSystemEntries(dir));
    }

    [Fact]
    public async Task Invalid_utf8_was_replaced_silently_and_is_an_error_at_its_line_unless_replace_invalid_utf8_is_given()
    {
        var dir = TestPaths.TempDir();
        var input = Path.Combine(dir, "bad.jsonl");
        var bytes = (await File.ReadAllBytesAsync(Trajectories)).ToArray();
        var lines = 0;
        var at = Array.FindIndex(bytes, b => b == '\n' && ++lines == 2) + 40;
        bytes[at] = 0xFF;
        await File.WriteAllBytesAsync(input, bytes);
        var output = Path.Combine(dir, "out.jsonl");

        var strict = await PlanactCli.RunAsync("convert", input, "--to", "jsonl", "--out", output);
        Assert.Equal(3, strict.ExitCode);
        Assert.Contains($"{input}:3: invalid UTF-8 (0xFF) at byte 40 of the line (pass --replace-invalid-utf8", strict.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        var inspect = await PlanactCli.RunAsync("inspect", input);
        Assert.Equal(3, inspect.ExitCode);
        Assert.Contains($"{input}:3: invalid UTF-8", inspect.Stderr, StringComparison.Ordinal);

        var replaced = await PlanactCli.RunAsync("convert", input, "--to", "jsonl", "--out", output, "--replace-invalid-utf8");
        Assert.True(replaced.ExitCode == 0, replaced.Stderr);
        Assert.Contains('\uFFFD', await File.ReadAllTextAsync(output));
    }

    [Fact]
    public async Task Invalid_utf8_in_an_sft_array_names_its_line_and_element()
    {
        var dir = TestPaths.TempDir();
        var input = Path.Combine(dir, "bad.json");
        var text = await File.ReadAllBytesAsync(Path.Combine(TestPaths.Samples, "webarena-lite-sft.json"));
        text[Array.IndexOf(text, (byte)'m', 200)] = 0xC3;
        await File.WriteAllBytesAsync(input, text);
        var result = await PlanactCli.RunAsync("convert", input, "--to", "jsonl", "--out", Path.Combine(dir, "out.jsonl"));
        Handled.Assert(result, "sft");
        Assert.Equal(3, result.ExitCode);
        Assert.Matches($@"{System.Text.RegularExpressions.Regex.Escape(input)}:\d+ \(element \[0\]\): not a valid WebArena-Lite SFT JSON array: invalid UTF-8 in a string", result.Stderr);
    }

    [Fact]
    public async Task A_folder_repeating_trajectories_converted_to_duplicate_ids_and_is_refused_naming_both_places()
    {
        var dir = TestPaths.TempDir();
        var folder = Directory.CreateDirectory(Path.Combine(dir, "in")).FullName;
        File.Copy(Path.Combine(TestPaths.Samples, "webarena-lite-sft.json"), Path.Combine(folder, "a.json"));
        File.Copy(Path.Combine(TestPaths.Samples, "webarena-lite-sft.json"), Path.Combine(folder, "b.json"));
        File.Copy(Trajectories, Path.Combine(folder, "c.jsonl"));
        var output = Path.Combine(dir, "out.jsonl");
        var result = await PlanactCli.RunAsync("convert", folder, "--to", "jsonl", "--out", output);
        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"{folder}/b.json: element [0]: duplicate id \"sft-5bfc9be09d99\" (first at {folder}/a.json: element [0])", result.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(output));

        File.Delete(Path.Combine(folder, "b.json"));
        var skipping = await PlanactCli.RunAsync("convert", folder, "--to", "jsonl", "--out", output, "--skip-invalid");
        Assert.Equal(4, skipping.ExitCode);
        Assert.Contains($"{folder}/c.jsonl:1: error: duplicate id \"sft-5bfc9be09d99\" (first at {folder}/a.json: element [0])", skipping.Stderr, StringComparison.Ordinal);
        Assert.Equal(17, File.ReadLines(output).Count());
    }

    [Fact]
    public async Task A_json_object_instead_of_an_array_was_reported_as_missing_id_and_says_what_it_is_not()
    {
        var dir = TestPaths.TempDir();
        var input = Path.Combine(dir, "object.json");
        await File.WriteAllTextAsync(input, "{\"data\": [{\"conversations\": []}]}\n");
        var result = await PlanactCli.RunAsync("convert", input, "--to", "jsonl", "--out", Path.Combine(dir, "out.jsonl"));
        Assert.Equal(3, result.ExitCode);
        Assert.Contains($"{input}:1: not a planact trajectory: expected one JSON object per line with \"id\", \"task\" and \"steps\" (or a WebArena-Lite SFT file: one JSON array of steps)", result.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("missing \"id\"", result.Stderr, StringComparison.Ordinal);

        await File.WriteAllTextAsync(input, "{\n  \"data\": []\n}\n");
        var pretty = await PlanactCli.RunAsync("convert", input, "--to", "jsonl", "--out", Path.Combine(dir, "out.jsonl"));
        Assert.Equal(3, pretty.ExitCode);
        Assert.Contains($"{input}:1: malformed JSON: the text ends inside an object or array that is not closed (a JSONL file holds one whole JSON object per line)", pretty.Stderr, StringComparison.Ordinal);
    }
}
