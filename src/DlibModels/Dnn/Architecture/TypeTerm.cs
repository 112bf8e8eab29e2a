namespace DlibModels.Dnn.Architecture;

/// <summary>A parsed C++ template type term: a number, a name, or a name applied to arguments.</summary>
/// <param name="Name">The template or type name (empty for numbers).</param>
/// <param name="Number">The value of a numeric term.</param>
/// <param name="Args">Template arguments; null for a bare name or number.</param>
public sealed record TypeTerm(string Name, long Number, IReadOnlyList<TypeTerm>? Args)
{
    /// <summary>True for numeric terms.</summary>
    public bool IsNumber => Name.Length == 0;

    /// <summary>A numeric term.</summary>
    public static TypeTerm Num(long value) => new(string.Empty, value, null);

    /// <summary>A bare name.</summary>
    public static TypeTerm Ident(string name) => new(name, 0, null);

    /// <inheritdoc/>
    public override string ToString() => IsNumber ? Number.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : Args is null ? Name : $"{Name}<{string.Join(",", Args)}>";
}
