using System.CommandLine;
using PlanAct.IO;
using PlanAct.Stages;
using PlanAct.Stages.Catalogue;
using PlanAct.Stages.Tasks;
using PlanAct.Teacher;
using PlanAct.Text;
using PlanAct.Trajectories;

namespace PlanAct.Cli.Commands;

/// <summary><c>planact tasks generate|judge</c>: new task intents per site, and the outcome judge that keeps successful trajectories.</summary>
internal static class TasksCommand
{
    public static Command Build() => new("tasks", "New tasks for data collection, and the outcome judge (paper §4.1, data side).\n\nExample:\n  planact tasks generate --seeds samples/webarena-lite-tasks.json --per-site 50 --out tasks.jsonl --model gpt-4o-mini\n  planact tasks judge --input collected.jsonl --out kept.jsonl --model gpt-4o-mini")
    {
        Generate(), Judge(),
    };

    private static Command Generate()
    {
        var seeds = new Option<string>("--seeds") { Description = "Seed intents: text (one per line), a JSON array or JSONL of strings or objects with intent/task/query and site/sites (e.g. WebRL's task list).", Required = true };
        var perSite = new Option<int>("--per-site") { Description = "New tasks wanted per site.", Required = true };
        var output = new Option<string>("--out") { Description = "The new tasks (JSONL: id, site, sites, intent, feasibility); rejected candidates with their reasons go to <out>.rejected.jsonl.", Required = true };
        var sites = new Option<string?>("--sites") { Description = "Comma-separated sites to generate for. [default: every site named alone by a seed]" };
        var avoid = new Option<string[]>("--avoid") { Description = "Intents new tasks must not come near, e.g. the benchmark test intents (any --seeds format; repeatable).", AllowMultipleArgumentsPerToken = true };
        var notes = new Option<string?>("--site-notes") { Description = "YAML feasibility notes (site: {about, cannot: [..]}) over the built-in ones for the five WebArena-Lite sites." };
        var seedsPerRequest = new Option<int>("--seeds-per-request") { Description = "Seed tasks shown per request.", DefaultValueFactory = _ => 8 };
        var perRequest = new Option<int>("--per-request") { Description = "New tasks asked for per request.", DefaultValueFactory = _ => 10 };
        var maxRequests = new Option<int>("--max-requests-per-site") { Description = "Give up on a site's quota after this many requests.", DefaultValueFactory = _ => 50 };
        var seed = new Option<int>("--seed") { Description = "Seeds the draws of seed tasks.", DefaultValueFactory = _ => 0 };
        var threshold = new Option<double>("--threshold") { Description = "ROUGE-L F at or above which a task is a near-duplicate.", DefaultValueFactory = _ => NearDuplicateIndex.DefaultThreshold };
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Report invalid seed entries and use the rest, instead of stopping." };
        foreach (var positive in new[] { perSite, seedsPerRequest, perRequest, maxRequests })
        {
            positive.Validators.Add(result =>
            {
                if (result.GetValueOrDefault<int>() <= 0)
                {
                    result.AddError($"{positive.Name} must be a positive number");
                }
            });
        }

        var teacher = new TeacherArguments();
        var command = new Command(
            "generate",
            "Generate new task intents per site from seed intents (Self-Instruct style): near-duplicates of seeds, avoided intents and accepted tasks are dropped (ROUGE-L), then the teacher judges each task feasible on its site. Online only; a re-run replays the ledger and sends nothing.\n\n"
            + "Example:\n  planact tasks generate --seeds samples/webarena-lite-tasks.json --avoid samples/webarena-lite-test-intents.json --per-site 50 --out tasks.jsonl --model gpt-4o-mini")
        {
            seeds, perSite, output, sites, avoid, notes, seedsPerRequest, perRequest, maxRequests, seed, threshold, skipInvalid,
        };
        teacher.AddTo(command);
        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            if (teacher.Mode(parse) != TeacherMode.Online)
            {
                throw new CommandLineException("tasks generate runs online: --dry-run and --batch are not supported (each request depends on the answers before it)");
            }

            var problems = new ProblemLog(parse.GetValue(skipInvalid));
            var seedList = await QueryListReader.ReadAsync(parse.GetValue(seeds)!, problems, ct).ToListAsync(ct);
            var avoided = new List<string>();
            foreach (var path in parse.GetValue(avoid) ?? [])
            {
                avoided.AddRange(await QueryListReader.ReadAsync(path, problems, ct).Select(e => e.Query).ToListAsync(ct));
            }

            var siteList = parse.GetValue(sites) is { } named
                ? [.. named.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)]
                : seedList.Where(s => s.Sites.Count == 1).Select(s => s.Sites[0]).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal).ToList();
            if (siteList.Count == 0)
            {
                throw new InputException(new SourceLocation(parse.GetValue(seeds)!), "no seed names a single site; name the sites with --sites");
            }

            var options = new TaskGenerationOptions
            {
                PerSite = parse.GetValue(perSite),
                SeedsPerRequest = parse.GetValue(seedsPerRequest),
                PerRequest = parse.GetValue(perRequest),
                MaxRequestsPerSite = parse.GetValue(maxRequests),
                Seed = parse.GetValue(seed),
                Threshold = parse.GetValue(threshold),
                Notes = parse.GetValue(notes) is { } notesPath ? SiteNotes.BuiltIn.With(notesPath) : SiteNotes.BuiltIn,
            };
            var teacherOptions = teacher.Resolve(parse);
            if (!teacherOptions.IsConfigured)
            {
                return StageCommand.NoTeacher(dryRunHint: false);
            }

            await using var session = await TeacherSession.OpenAsync(teacherOptions, teacher.Budget(parse, [TaskGenerator.GenerateStage, TaskGenerator.FeasibilityStage]), cancellationToken: ct);
            CliConsole.Current.Error.WriteLine($"planact: tasks generate: {seedList.Count} seeds, {avoided.Count} avoided intents, sites {string.Join(", ", siteList)}; teacher {teacherOptions}; ledger {session.Ledger.Path}");
            var outPath = parse.GetValue(output)!;
            var result = await new TaskGenerator(options, session).RunAsync(
                seedList, avoided, siteList, new SynchronousProgress<int>(n => CliConsole.Current.Error.Write($"\rplanact: tasks generate {n}/{options.PerSite * siteList.Count}")), ct);
            CliConsole.Current.Error.WriteLine();
            await JsonlFile.WriteAsync(outPath, result.Accepted.ToAsyncEnumerable(), TaskJsonl.Format, ct);
            await JsonlFile.WriteAsync(TaskJsonl.RejectedPathBeside(outPath), result.Rejected.ToAsyncEnumerable(), TaskJsonl.Format, ct);

            CommandRunner.ReportProblems(problems.Problems);
            foreach (var (item, why) in result.FailedRequests.Take(50))
            {
                CliConsole.Current.Error.WriteLine($"planact: request {item} failed: {why}");
            }

            StageCommand.ReportCosts(session.Meter.Lines());
            foreach (var site in siteList)
            {
                var made = result.Accepted.Count(t => t.Site == site);
                CliConsole.Current.Error.WriteLine($"planact: tasks generate: {site}: {made}/{options.PerSite} tasks from {result.RequestsBySite.GetValueOrDefault(site)} requests, {result.Rejected.Count(r => r.Site == site)} candidates rejected");
            }

            CliConsole.Current.Error.WriteLine($"planact: tasks generate: {result.Accepted.Count} tasks -> {outPath}; {result.Rejected.Count} rejected with reasons -> {TaskJsonl.RejectedPathBeside(outPath)}");
            if (result.StoppedBecause is { } reason)
            {
                CliConsole.Current.Error.WriteLine($"planact: {reason}");
                return ExitCodes.Stopped;
            }

            var quotaMissed = siteList.Any(site => result.Accepted.Count(t => t.Site == site) < options.PerSite);
            return quotaMissed || result.FailedRequests.Count > 0 || problems.ErrorCount > 0 ? ExitCodes.InvalidItemsSkipped : ExitCodes.Ok;
        }, ct));
        return command;
    }

    private static Command Judge()
    {
        var input = new Option<string>("--input") { Description = "Collected trajectories: SFT .json, planact .jsonl, or a folder of them.", Required = true };
        var output = new Option<string>("--out") { Description = "The trajectories judged YES (planact trajectory JSONL), written when every trajectory is judged.", Required = true };
        var verdicts = new Option<string?>("--verdicts") { Description = "Where the verdicts go (JSONL: id, verdict YES|NO, reason; resumable). [default: <out>.verdicts.jsonl]" };
        var maxPageTokens = CommandOptions.MaxPageTokens("the last page's view", fallback: 6000);
        var skipInvalid = new Option<bool>("--skip-invalid") { Description = "Report invalid trajectories and judge the rest, instead of stopping." };
        var replaceInvalidUtf8 = CommandOptions.ReplaceInvalidUtf8();
        var teacher = new TeacherArguments();
        var command = StageCommand.Create(
            StageInvocation.Run,
            "judge",
            "Judge every trajectory with the teacher (YES/NO with a reason, from the task, the actions and the last page) and keep those judged YES.\n\n"
            + "Example:\n  planact tasks judge --input collected.jsonl --out kept.jsonl --model gpt-4o-mini",
            teacher,
            [input, output, verdicts, maxPageTokens, skipInvalid, replaceInvalidUtf8]);

        command.SetAction((parse, ct) => CommandRunner.RunAsync(async () =>
        {
            var problems = new ProblemLog(parse.GetValue(skipInvalid));
            var inputPath = parse.GetValue(input)!;
            var outPath = parse.GetValue(output)!;
            var verdictPath = parse.GetValue(verdicts) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(outPath))!, Path.GetFileNameWithoutExtension(outPath) + ".verdicts.jsonl");
            IAsyncEnumerable<Trajectory> Trajectories() => TrajectoryFiles.ReadAsync(inputPath, new TrajectoryReadOptions { Problems = problems, ReplaceInvalidUtf8 = parse.GetValue(replaceInvalidUtf8) }, ct);
            var judge = new ItemStageJob<Trajectory, TrajectoryVerdict>(
                session => new JudgeStage(parse.GetValue(maxPageTokens)!.Value, session.ModelFor(JudgeStage.StageName)), Trajectories, verdictPath, ShardFlags.Of(parse), null);
            var code = await StageCommand.RunAsync(StageInvocation.Run, parse, teacher, JudgeStage.StageName, judge, ct);
            CommandRunner.ReportProblems(problems.Problems);
            if (teacher.Mode(parse) == TeacherMode.DryRun || code is not (ExitCodes.Ok or ExitCodes.InvalidItemsSkipped))
            {
                return code;
            }

            var yes = await JudgeStage.ReadSuccessfulAsync(verdictPath, problems, ct);
            var judged = 0;
            var kept = await TrajectoryFiles.WriteAsync(outPath, TrajectoryFormat.Jsonl, Trajectories().Where(t =>
            {
                judged++;
                return yes.Contains(t.Id);
            }), ct);
            CliConsole.Current.Error.WriteLine($"planact: judge: kept {kept} of {judged} trajectories judged YES -> {outPath}; verdicts -> {verdictPath}");
            return code == ExitCodes.Ok && problems.ErrorCount > 0 ? ExitCodes.InvalidItemsSkipped : code;
        }, ct));
        return command;
    }
}
