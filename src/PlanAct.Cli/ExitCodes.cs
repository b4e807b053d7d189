namespace PlanAct.Cli;

/// <summary>Process exit codes; documented in the README.</summary>
internal static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>An unexpected failure (a bug): the message and stack trace are printed.</summary>
    public const int InternalError = 1;

    /// <summary>
    /// The command line itself is wrong (System.CommandLine's parse errors use this too), or its output would overwrite
    /// an input or a file planact did not write (an existing output whose lines are not the stage's records for this input).
    /// </summary>
    public const int Usage = 2;

    /// <summary>The input cannot be read: missing file, malformed JSON, invalid trajectory without --skip-invalid.</summary>
    public const int BadInput = 3;

    /// <summary>The input was read, but some items were invalid, skipped or quarantined (listed on stderr / in the quarantine file).</summary>
    public const int InvalidItemsSkipped = 4;

    /// <summary>The run stopped before the end (--max-cost reached, batch requests still waiting); run it again to resume.</summary>
    public const int Stopped = 5;

    /// <summary>Another planact process writes the same output or ledger; this one sent and wrote nothing.</summary>
    public const int Locked = 6;
}
