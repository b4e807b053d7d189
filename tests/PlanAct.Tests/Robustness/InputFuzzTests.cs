using System.Text;
using System.Text.RegularExpressions;
using PlanAct.IO;
using PlanAct.Plans;
using PlanAct.Stages.Annotate;
using PlanAct.Tests.Cli;
using PlanAct.Tests.Training;
using PlanAct.Trajectories;

namespace PlanAct.Tests.Robustness;

/// <summary>
/// Damaged inputs through the real command tree (<c>planact convert</c> and <c>planact inspect</c>, in process): cut at
/// every sixteenth, bytes flipped (fixed seed), bad escapes, invalid UTF-8, deep nesting, empty and whitespace-only
/// files, a folder repeating trajectories. Each run ends with exit 0 (the input is valid: a huge page, a byte order
/// mark, Windows line ends), or with exit 3 naming the file and its line or element, the output untouched; never
/// with an exception. Resumed outputs get the same treatment through the stage's record reader.
/// </summary>
public class InputFuzzTests
{
    private const string Sentinel = "not written by this run\n";

    private static readonly Lazy<Task<(byte[] Jsonl, byte[] Sft, byte[] Plans)>> Bases = new(MakeBasesAsync);

    /// <summary>Three sample trajectories as planact JSONL and as a WebArena-Lite SFT array, and annotate's records of them.</summary>
    private static async Task<(byte[] Jsonl, byte[] Sft, byte[] Plans)> MakeBasesAsync()
    {
        var trajectories = (await TestPlans.SampleTrajectoriesAsync()).Take(3).ToList();
        var dir = TestPaths.TempDir();
        var sft = Path.Combine(dir, "base.json");
        await SftTrajectoryWriter.WriteAsync(sft, trajectories.ToAsyncEnumerable());
        var jsonl = string.Concat(trajectories.Select(t => TrajectoryJsonl.Format(t) + "\n"));
        var plans = string.Concat(trajectories.Select(t => PlanJsonl.Format(TestPlans.For(t)) + "\n"));
        return (Encoding.UTF8.GetBytes(jsonl), await File.ReadAllBytesAsync(sft), Encoding.UTF8.GetBytes(plans));
    }

    /// <summary>What is wrong with the runs of convert and inspect over one input, or null when both behaved.</summary>
    private static async Task<string?> CheckAsync(string name, byte[] content, string extension, bool valid = false)
    {
        var dir = TestPaths.TempDir();
        var input = Path.Combine(dir, "input" + extension);
        await File.WriteAllBytesAsync(input, content);
        return await CheckPathAsync(name, input, valid);
    }

    private static async Task<string?> CheckPathAsync(string name, string input, bool valid)
    {
        var output = Path.Combine(TestPaths.TempDir(), "out.jsonl");
        await File.WriteAllTextAsync(output, Sentinel);
        var located = new Regex($@"{Regex.Escape(input)}(/[^:/]+)?(:\d+|: element \[\d+\])");
        var convert = await PlanactCli.RunAsync("convert", input, "--to", "jsonl", "--out", output);
        var inspect = await PlanactCli.RunAsync("inspect", input);
        var failures = new List<string>();
        foreach (var (command, result) in new[] { ("convert", convert), ("inspect", inspect) })
        {
            var expected = result.ExitCode switch
            {
                _ when !Handled.By(result) => "no unhandled exception",
                0 => null,
                _ when valid => "exit 0 for a valid input",
                3 or 4 when !located.IsMatch(result.Stderr + result.Stdout) => "a message naming the file and its line or element",
                3 => null,
                4 when command == "inspect" => null,
                _ => "exit 0 or 3 (inspect: 4 with the problems listed)",
            };
            if (expected is not null)
            {
                failures.Add($"{name}: {command}: expected {expected}; exit {result.ExitCode}: {result.Stderr.Trim()}");
            }
        }

        var written = await File.ReadAllTextAsync(output);
        if (convert.ExitCode != 0 && written != Sentinel)
        {
            failures.Add($"{name}: convert failed (exit {convert.ExitCode}) but changed its output");
        }

        if (convert.ExitCode == 0 && written == Sentinel)
        {
            failures.Add($"{name}: convert succeeded without writing its output");
        }

        return failures.Count == 0 ? null : string.Join("\n", failures);
    }

    private static async Task AllBehaveAsync(IEnumerable<(string Name, byte[] Content, string Extension, bool Valid)> cases)
    {
        var failures = new List<string>();
        foreach (var (name, content, extension, valid) in cases)
        {
            if (await CheckAsync(name, content, extension, valid) is { } failure)
            {
                failures.Add(failure);
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    private static IEnumerable<(string Name, byte[] Content, string Extension)> Formats((byte[] Jsonl, byte[] Sft, byte[] Plans) bases) =>
        [("jsonl", bases.Jsonl, ".jsonl"), ("sft", bases.Sft, ".json")];

    [Fact]
    public async Task A_file_cut_at_every_sixteenth_is_bad_input_at_its_line_or_whole_lines_that_convert()
    {
        var bases = await Bases.Value;
        await AllBehaveAsync(Formats(bases).SelectMany(f => Enumerable.Range(1, 15).Select(k =>
            ($"{f.Name} cut at {k}/16", f.Content[..(f.Content.Length * k / 16)], f.Extension, false))));
    }

    [Fact]
    public async Task Random_byte_flips_with_a_fixed_seed_never_escape_as_exceptions()
    {
        var bases = await Bases.Value;
        var random = new Random(18);
        await AllBehaveAsync(Formats(bases).SelectMany(f => Enumerable.Range(0, 24).Select(i =>
        {
            var content = f.Content.ToArray();
            var at = random.Next(content.Length);
            content[at] ^= (byte)random.Next(1, 256);
            return ($"{f.Name} flip {i} at byte {at}", content, f.Extension, false);
        }).ToList()));
    }

    [Fact]
    public async Task Bad_escapes_invalid_utf8_deep_nesting_and_empty_files_are_bad_input_at_their_line()
    {
        var bases = await Bases.Value;
        var cases = new List<(string, byte[], string, bool)>();
        foreach (var (name, content, extension) in Formats(bases))
        {
            var text = Encoding.UTF8.GetString(content);
            var escape = text.IndexOf("\\\"", StringComparison.Ordinal);
            cases.Add(($"{name} \\q", Encoding.UTF8.GetBytes(text[..escape] + "\\q" + text[(escape + 2)..]), extension, false));
            cases.Add(($"{name} short \\u", Encoding.UTF8.GetBytes(text[..escape] + "\\u12" + text[(escape + 2)..]), extension, false));
            cases.Add(($"{name} lone surrogate", Encoding.UTF8.GetBytes(text[..escape] + "\\ud800" + text[(escape + 2)..]), extension, false));
            foreach (var bad in new byte[][] { [0xFF], [0xC3], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80] })
            {
                var at = content.Length / 3;
                cases.Add(($"{name} invalid UTF-8 {Convert.ToHexString(bad)}", [.. content[..at], .. bad, .. content[at..]], extension, false));
            }

            cases.Add(($"{name} empty", [], extension, false));
            cases.Add(($"{name} whitespace only", " \n\t\r\n  \n"u8.ToArray(), extension, false));
        }

        var deep = new string('[', 5000) + new string(']', 5000);
        cases.Add(("jsonl deep nesting", Encoding.UTF8.GetBytes($"{{\"id\": \"x\", \"task\": \"t\", \"steps\": {deep}}}\n"), ".jsonl", false));
        cases.Add(("sft deep nesting", Encoding.UTF8.GetBytes($"[{deep}]"), ".json", false));
        cases.Add(("jsonl deep objects", Encoding.UTF8.GetBytes(string.Concat(Enumerable.Repeat("{\"a\":", 5000)) + "1" + new string('}', 5000) + "\n"), ".jsonl", false));
        await AllBehaveAsync(cases);
    }

    [Fact]
    public async Task A_byte_order_mark_windows_line_ends_and_a_huge_page_are_valid_input()
    {
        var bases = await Bases.Value;
        var bom = Encoding.UTF8.Preamble.ToArray();
        var trajectory = (await TestPlans.SampleTrajectoriesAsync())[0];
        var page = trajectory.Steps[0].Html;
        var hugePage = string.Concat(Enumerable.Repeat(page, (1 << 20) / page.Length + 1));
        var huge = trajectory with { Steps = trajectory.Steps.Select((s, i) => i == 0 ? s with { Html = hugePage } : s).ToEquatableList() };
        await AllBehaveAsync(
        [
            ("jsonl with a byte order mark", [.. bom, .. bases.Jsonl], ".jsonl", true),
            ("sft with a byte order mark", [.. bom, .. bases.Sft], ".json", true),
            ("jsonl with CRLF", Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bases.Jsonl).Replace("\n", "\r\n", StringComparison.Ordinal)), ".jsonl", true),
            ("sft with CRLF", Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bases.Sft).Replace("\n", "\r\n", StringComparison.Ordinal)), ".json", true),
            ("jsonl with blank lines", [.. "\n\n"u8.ToArray(), .. bases.Jsonl, .. "\n  \n"u8.ToArray()], ".jsonl", true),
            ("jsonl with a 1 MB page", Encoding.UTF8.GetBytes(TrajectoryJsonl.Format(huge) + "\n"), ".jsonl", true),
        ]);
    }

    [Fact]
    public async Task A_folder_whose_files_repeat_trajectories_is_bad_input_naming_both_places()
    {
        var bases = await Bases.Value;
        var failures = new List<string>();
        foreach (var (first, second) in new[] { (bases.Jsonl, bases.Jsonl), (bases.Sft, bases.Sft), (bases.Sft, bases.Jsonl) })
        {
            var folder = TestPaths.TempDir();
            await File.WriteAllBytesAsync(Path.Combine(folder, "a" + (first == bases.Sft ? ".json" : ".jsonl")), first);
            await File.WriteAllBytesAsync(Path.Combine(folder, "b" + (second == bases.Sft ? ".json" : ".jsonl")), second);
            var convert = await PlanactCli.RunAsync("convert", folder, "--to", "jsonl", "--out", Path.Combine(TestPaths.TempDir(), "out.jsonl"));
            if (convert.ExitCode != 3 || !Regex.IsMatch(convert.Stderr, $@"{Regex.Escape(folder)}/b\.jsonl?(:\d+|: element \[\d+\]): duplicate id ""[^""]+"" \(first at {Regex.Escape(folder)}/a\.jsonl?"))
            {
                failures.Add($"exit {convert.ExitCode}: {convert.Stderr}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public async Task A_damaged_stage_output_resumes_from_its_whole_records_or_is_refused_at_its_line_untouched()
    {
        var plans = (await Bases.Value).Plans;
        var annotate = new AnnotateStage(new AnnotateOptions(), "m");
        var random = new Random(18);
        var cases = Enumerable.Range(1, 15).Select(k => ($"cut at {k}/16", plans[..(plans.Length * k / 16)]))
            .Concat(Enumerable.Range(0, 24).Select(i =>
            {
                var content = plans.ToArray();
                var at = random.Next(content.Length);
                content[at] ^= (byte)random.Next(1, 256);
                return ($"flip {i} at byte {at}", content);
            }).ToList());
        var failures = new List<string>();
        foreach (var (name, content) in cases)
        {
            var path = Path.Combine(TestPaths.TempDir(), "plans.jsonl");
            await File.WriteAllBytesAsync(path, content);
            try
            {
                await using (await ResumableJsonl.OpenAsync(path, annotate.IdOfRecord))
                {
                }

                var kept = await File.ReadAllBytesAsync(path);
                if (!content.Take(kept.Length).SequenceEqual(kept) || (kept.Length > 0 && kept[^1] != '\n'))
                {
                    failures.Add($"{name}: opened, but the file is not its whole lines: {kept.Length} of {content.Length} bytes");
                }
            }
            catch (ForeignOutputException e)
            {
                var after = await File.ReadAllBytesAsync(path);
                if (e.Location.File != path || e.Location.Line is null || !content.SequenceEqual(after))
                {
                    failures.Add($"{name}: refused without its line or with the file changed: {e.Message}");
                }
            }
#pragma warning disable CA1031 // The point of the test: any other exception is a failure to report with the rest.
            catch (Exception e)
#pragma warning restore CA1031
            {
                failures.Add($"{name}: {e.GetType().Name}: {e.Message}");
            }
        }

        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }
}
