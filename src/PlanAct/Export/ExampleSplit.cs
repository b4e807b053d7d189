using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using PlanAct.Training;

namespace PlanAct.Export;

/// <summary>
/// A deterministic train / validation split by group: every example of a group is on the same side, so no trajectory
/// (with the synthetic and targeted plans that start from its first page) is on both. The side is a hash of the group
/// and the seed, so the same records give the same split on every export, and a fraction of the groups, not of the
/// examples, is in validation.
/// </summary>
/// <param name="Validation">The fraction of groups in the validation split, from 0 (train only) to below 1.</param>
/// <param name="Seed">Another seed draws another split; seed 0 keeps the split of exports made before there was a seed.</param>
internal sealed record ExampleSplit(double Validation, int Seed = 0)
{
    public const string Train = "train";

    public const string ValidationSplit = "validation";

    public static ExampleSplit None { get; } = new(0);

    public double Validation { get; } = Validation is >= 0 and < 1 ? Validation : throw new ArgumentOutOfRangeException(nameof(Validation), Validation, "a fraction from 0 to below 1");

    /// <summary>The group an example stays with: its split group (a generated plan's seed), else its trajectory, plan or own id.</summary>
    public static string GroupOf(TrainingExample example) => example.SplitGroup ?? example.Source.Trajectory ?? example.Source.Plan ?? example.Id;

    /// <summary><see cref="Train"/> or <see cref="ValidationSplit"/>.</summary>
    public string SplitOf(TrainingExample example)
    {
        if (Validation == 0)
        {
            return Train;
        }

        var group = GroupOf(example);
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(Seed == 0 ? group : string.Create(CultureInfo.InvariantCulture, $"{Seed}\n{group}")));
        var position = BitConverter.ToUInt64(hash, 0) / (double)ulong.MaxValue;
        return position < Validation ? ValidationSplit : Train;
    }
}
