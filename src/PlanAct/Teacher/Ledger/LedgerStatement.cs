using Microsoft.Data.Sqlite;

namespace PlanAct.Teacher.Ledger;

/// <summary>
/// A statement the ledger runs for every request (the lookup, the send record, the answer), compiled by SQLite on its
/// first run and run again with new values: compiling it anew each time cost as much as the write itself. Used only
/// under the ledger's lock, as its connection is.
/// </summary>
internal sealed class LedgerStatement : IDisposable
{
    private readonly SqliteCommand _command;
    private readonly SqliteParameter[] _parameters;

    /// <param name="connection">The ledger's connection.</param>
    /// <param name="sql">One statement.</param>
    /// <param name="parameters">Its parameters' names, in the order <see cref="With"/> takes their values.</param>
    public LedgerStatement(SqliteConnection connection, string sql, params string[] parameters)
    {
        _command = connection.CreateCommand();
        _command.CommandText = sql;
        _parameters = [.. parameters.Select(name => _command.Parameters.Add(new SqliteParameter { ParameterName = name }))];
    }

    /// <summary>The command, in <paramref name="transaction"/>, with <paramref name="values"/> bound (null as SQL NULL); it is not the caller's to dispose.</summary>
    public SqliteCommand With(SqliteTransaction? transaction, params ReadOnlySpan<object?> values)
    {
        ArgumentOutOfRangeException.ThrowIfNotEqual(values.Length, _parameters.Length);
        _command.Transaction = transaction;
        for (var i = 0; i < values.Length; i++)
        {
            _parameters[i].Value = values[i] ?? DBNull.Value;
        }

        return _command;
    }

    public void Dispose() => _command.Dispose();
}
