using System.Text;
using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Fabric.Persistence.Sql;

/// <summary>Builds the one-line <see cref="SqlStoreException"/> messages: <c>{store} {target}: {cause}</c>.</summary>
internal static partial class SqlErrors
{
    /// <summary>Wraps a driver failure.</summary>
    /// <param name="store">What failed, e.g. "sqlite journal /var/lib/fabric/fabric.db".</param>
    /// <param name="error">The driver's exception.</param>
    /// <returns>The exception to throw.</returns>
    public static SqlStoreException Wrap(string store, Exception error) => new($"{store}: {Cause(error)}", error);

    /// <summary>The cause of <paramref name="error"/> as one line, without driver boilerplate.</summary>
    /// <param name="error">A driver exception.</param>
    /// <returns>The cause text.</returns>
    public static string Cause(Exception error)
    {
        var text = new StringBuilder();
        for (Exception? e = error; e is not null; e = e.InnerException)
        {
            string part = e switch
            {
                SqliteException s => SqliteMessage(s),
                PostgresException p => p.MessageText,
                _ => e.Message,
            };
            part = part.ReplaceLineEndings(" ").Trim().TrimEnd('.');
            if (part.Length > 0 && !text.ToString().Contains(part, StringComparison.Ordinal))
            {
                if (text.Length > 0)
                {
                    text.Append(": ");
                }

                text.Append(part);
            }

            if (e is SqliteException or PostgresException)
            {
                break;
            }
        }

        return text.Length == 0 ? error.GetType().Name : text.ToString();
    }

    private static string SqliteMessage(SqliteException error)
    {
        Match m = SqliteErrorText().Match(error.Message);
        return m.Success ? m.Groups[1].Value : error.Message;
    }

    [GeneratedRegex(@"^SQLite Error \d+: '(.*)'\.?$", RegexOptions.Singleline)]
    private static partial Regex SqliteErrorText();
}
