using System.Globalization;

namespace PlanAct.Bench;

/// <summary>Options of the <c>reader</c> benchmark.</summary>
internal sealed record ReaderOptions(int SizeMb, string WorkDirectory, int CleanBudgetSeconds, int? CleanTrajectories)
{
    public static ReaderOptions Parse(IReadOnlyList<string> args)
    {
        var sizeMb = 500;
        string? work = null;
        var budget = 300;
        int? trajectories = null;
        foreach (var (option, value) in CommandLine.Pairs(args))
        {
            switch (option)
            {
                case "--size-mb":
                    sizeMb = CommandLine.Positive(option, value);
                    break;
                case "--work":
                    work = value;
                    break;
                case "--clean-budget-s":
                    budget = CommandLine.Positive(option, value);
                    break;
                case "--clean-trajectories":
                    trajectories = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                        ? n
                        : throw new ArgumentException($"--clean-trajectories expects a whole number, got \"{value}\"");
                    break;
                default:
                    throw new ArgumentException($"unknown option \"{option}\"");
            }
        }

        return new ReaderOptions(sizeMb, Path.GetFullPath(work ?? Path.Combine(RepositoryRoot.Find(), "bench", ".data")), budget, trajectories);
    }
}
