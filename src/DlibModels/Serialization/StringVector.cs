namespace DlibModels.Serialization;

/// <summary>Reads and writes a serialized <c>std::vector&lt;std::string&gt;</c> (e.g. the ImageNet labels).</summary>
public static class StringVector
{
    /// <summary>Reads the vector.</summary>
    public static IReadOnlyList<string> Read(DlibReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        using var _ = reader.Enter("std::vector<std::string>");
        long n = reader.ReadSize("vector size", reader.Remaining);
        var items = new List<string>((int)Math.Min(n, 1 << 16));
        for (long i = 0; i < n; i++)
        {
            items.Add(reader.ReadString($"string {i}"));
        }

        return items;
    }

    /// <summary>Writes the vector.</summary>
    public static void Write(DlibWriter writer, IReadOnlyList<string> items)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(items);
        writer.WriteInt(items.Count);
        foreach (string s in items)
        {
            writer.WriteString(s);
        }
    }
}
