using System.Text.Json;
using DlibModels.Imaging;
using DlibModels.Landmarks;

namespace DlibModels.Cli.Output;

/// <summary>Writes the per-image fields shared by every command, keyed like dlibref's goldens.</summary>
internal static class JsonFields
{
    /// <summary>Writes one JSON Lines record: an object filled by <paramref name="body"/>, then a newline.</summary>
    public static void Line(Stream stdout, Action<Utf8JsonWriter> body)
    {
        using (var w = new Utf8JsonWriter(stdout))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        stdout.WriteByte((byte)'\n');
        stdout.Flush();
    }

    public static void Decoded(Utf8JsonWriter w, RgbImage img) => Decoded(w, DecodedSummary.Of(img));

    public static void Decoded(Utf8JsonWriter w, DecodedSummary img)
    {
        w.WriteStartObject("decoded");
        w.WriteNumber("rows", img.Rows);
        w.WriteNumber("cols", img.Cols);
        w.WriteStartArray("sum_rgb");
        w.WriteNumberValue(img.SumR);
        w.WriteNumberValue(img.SumG);
        w.WriteNumberValue(img.SumB);
        w.WriteEndArray();
        w.WriteString("fnv1a64", ImageChecksums.ToHex(img.Fnv1a64));
        w.WriteEndObject();
    }

    public static void Rect(Utf8JsonWriter w, string name, Rectangle r)
    {
        w.WriteStartObject(name);
        w.WriteNumber("left", r.Left);
        w.WriteNumber("top", r.Top);
        w.WriteNumber("right", r.Right);
        w.WriteNumber("bottom", r.Bottom);
        w.WriteEndObject();
    }

    public static void Parts(Utf8JsonWriter w, IReadOnlyList<Point> parts)
    {
        w.WriteStartArray("parts");
        foreach (Point p in parts)
        {
            w.WriteStartArray();
            w.WriteNumberValue(p.X);
            w.WriteNumberValue(p.Y);
            w.WriteEndArray();
        }

        w.WriteEndArray();
    }
}
