using System.Text.RegularExpressions;
using Npgsql;

namespace DlibModels.Search.Postgres;

/// <summary>Connection strings: key/value (<c>Host=...;Database=...</c>) or <c>postgresql://</c> URLs.</summary>
internal static partial class PgConnectionString
{
    [GeneratedRegex(@"(^|;)\s*(host|server)\s*=", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex HostKey();

    /// <summary>Whether <paramref name="value"/> is a connection string rather than a file path.</summary>
    public static bool LooksLike(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        string v = value.Trim();
        return v.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            || v.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || HostKey().IsMatch(v);
    }

    /// <summary>Parses either form into Npgsql's builder.</summary>
    /// <exception cref="FaceIndexException">Neither form, or a malformed one.</exception>
    public static NpgsqlConnectionStringBuilder Parse(string value)
    {
        string v = value.Trim();
        try
        {
            return v.Contains("://", StringComparison.Ordinal) ? FromUrl(v) : new NpgsqlConnectionStringBuilder(v);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or UriFormatException or KeyNotFoundException)
        {
            throw new FaceIndexException($"Not a PostgreSQL connection string (Host=...;Database=... or postgresql://user@host/db): {e.Message}", e);
        }
    }

    private static NpgsqlConnectionStringBuilder FromUrl(string url)
    {
        var uri = new Uri(url);
        if (uri.Scheme is not ("postgresql" or "postgres"))
        {
            throw new FormatException($"the URL scheme is '{uri.Scheme}', not postgresql");
        }

        var b = new NpgsqlConnectionStringBuilder { Host = Uri.UnescapeDataString(uri.Host) };
        if (!uri.IsDefaultPort && uri.Port > 0)
        {
            b.Port = uri.Port;
        }

        if (uri.UserInfo.Length > 0)
        {
            string[] parts = uri.UserInfo.Split(':', 2);
            b.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
            {
                b.Password = Uri.UnescapeDataString(parts[1]);
            }
        }

        string db = uri.AbsolutePath.TrimStart('/');
        if (db.Length > 0)
        {
            b.Database = Uri.UnescapeDataString(db);
        }

        foreach (string pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            string[] kv = pair.Split('=', 2);
            string key = Uri.UnescapeDataString(kv[0]);
            string val = kv.Length == 2 ? Uri.UnescapeDataString(kv[1]) : "";
            b[key switch
            {
                "sslmode" => "SSL Mode",
                "application_name" => "Application Name",
                "connect_timeout" => "Timeout",
                _ => key,
            }] = val;
        }

        return b;
    }
}
