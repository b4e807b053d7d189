using System.Globalization;

namespace PlanAct.Bench;

/// <summary>Options of the <c>reader</c> benchmark.</summary>
public sealed record ReaderOptions(int SizeMb, string WorkDirectory, int CleanBudgetSeconds, int? CleanTrajectories)
{
    public static ReaderOptions Parse(IReadOnlyList<string> args)
    {
        var sizeMb = 500;
        string? work = null;
        var budget = 300;
        int? trajectories = null;
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            switch (args[i])
            {
                case "--size-mb":
                    sizeMb = Positive(args[i], value);
                    break;
                case "--work":
                    work = value;
                    break;
                case "--clean-budget-s":
                    budget = Positive(args[i], value);
                    break;
                case "--clean-trajectories":
                    trajectories = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                        ? n
                        : throw new ArgumentException($"--clean-trajectories expects a whole number, got \"{value}\"");
                    break;
                default:
                    throw new ArgumentException($"unknown option \"{args[i]}\"");
            }

            i++;
        }

        return new ReaderOptions(sizeMb, Path.GetFullPath(work ?? Path.Combine(RepositoryRoot.Find(), "bench", ".data")), budget, trajectories);
    }

    private static int Positive(string option, string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0
            ? n
            : throw new ArgumentException($"{option} expects a positive whole number, got \"{value}\"");
}
