using System.Diagnostics;
using Microsoft.Extensions.AI;
using PlanAct.Html;
using PlanAct.Loopback;
using PlanAct.Plans.Hindsight;
using PlanAct.Stages.Annotate;
using PlanAct.Teacher;
using PlanAct.Teacher.Ledger;
using PlanAct.Trajectories;
using static System.FormattableString;

namespace PlanAct.Bench;

/// <summary>Options of the <c>prompts</c> benchmark.</summary>
internal sealed record PromptOptions(int Items, int Runs)
{
    public static PromptOptions Parse(IReadOnlyList<string> args)
    {
        var (items, runs) = (1700, 5);
        foreach (var (option, value) in CommandLine.Pairs(args))
        {
            switch (option)
            {
                case "--items":
                    items = CommandLine.Positive(option, value);
                    break;
                case "--runs":
                    runs = CommandLine.Positive(option, value);
                    break;
                default:
                    throw new ArgumentException($"unknown option \"{option}\"");
            }
        }

        return new PromptOptions(items, runs);
    }
}

/// <summary>
/// What building one teacher request costs this process, step by step, on copies of the sample trajectories: the
/// planner view of the first page, its token count, the page fitted to annotate's budget, annotate's whole prompt,
/// and the prompt with its ledger key (what a send does before it goes out); then what an answer costs as annotate
/// reads and checks it (a valid plan as the loopback teacher writes it). Per step: CPU time and bytes allocated
/// per item, the median of the timed runs after two untimed ones. Allocation is what the garbage collector pays for
/// later, with every request in flight alive: the teacher benchmark's client CPU follows it.
/// </summary>
internal static class PromptBenchmark
{
    private const string Model = "gpt-4.1-mini";

    public static async Task<int> RunAsync(PromptOptions options)
    {
        var samples = await SampleTrajectories.LoadAsync(RepositoryRoot.Find(), CancellationToken.None);
        var annotate = new AnnotateOptions();
        var stage = new AnnotateStage(annotate, Model);
        var chatOptions = new ChatOptions { ModelId = Model, Temperature = 0 };
        var items = Enumerable.Range(0, options.Items).Select(samples.Copy).ToList();
        var answers = items.ToDictionary(t => t.Id, t => ScriptedPlans.ValidPlan(t.Steps.Count));
        var steps = new (string Name, Action<Trajectory> Run)[]
        {
            ("planner view of the first page", t => Observation.Planner(t.InitialHtml, t.Steps[0].Observation)),
            ("view + token count", t => annotate.Counter.Count(Observation.Planner(t.InitialHtml, t.Steps[0].Observation))),
            ("view fitted to the budget", t => Observation.FitView(t.InitialHtml, executor: false, annotate.MaxPageTokens, annotate.Counter, t.Steps[0].Observation)),
            ("annotate prompt", t => stage.Messages(t)),
            ("annotate prompt + ledger key", t => RequestKey.Compute(Model, chatOptions, stage.Messages(t), new TeacherRequest(AnnotateStage.StageName, t.Id, 1))),
            ("answer read and checked (grounding, hindsight)", t => AnnotateStage.Check(answers[t.Id], t.Steps.Count, new TrajectoryHindsight(t).At(0))),
        };

        Console.WriteLine(Machine.Describe());
        Console.WriteLine(Invariant($"{items.Count:N0} copies of the {samples.Trajectories.Count} trajectories of {samples.Source}; {options.Runs} timed runs per step"));
        Console.WriteLine();
        Console.WriteLine("| Step | CPU µs/item (median) | min | max | KiB allocated/item |");
        Console.WriteLine("|---|--:|--:|--:|--:|");
        foreach (var (name, run) in steps)
        {
            var cpu = new double[options.Runs];
            var allocated = 0.0;
            for (var round = -2; round < options.Runs; round++)
            {
                var (used, bytes) = Measure(items, run);
                if (round >= 0)
                {
                    cpu[round] = used.TotalMicroseconds / items.Count;
                    allocated = bytes / 1024.0 / items.Count;
                }
            }

            Array.Sort(cpu);
            Console.WriteLine(Invariant($"| {name} | {cpu[cpu.Length / 2]:F1} | {cpu[0]:F1} | {cpu[^1]:F1} | {allocated:F1} |"));
        }

        return 0;
    }

    private static (TimeSpan Cpu, long Allocated) Measure(List<Trajectory> items, Action<Trajectory> run)
    {
        using var self = Process.GetCurrentProcess();
        var cpu = self.TotalProcessorTime;
        var allocated = GC.GetAllocatedBytesForCurrentThread();
        foreach (var item in items)
        {
            run(item);
        }

        allocated = GC.GetAllocatedBytesForCurrentThread() - allocated;
        self.Refresh();
        return (self.TotalProcessorTime - cpu, allocated);
    }
}
