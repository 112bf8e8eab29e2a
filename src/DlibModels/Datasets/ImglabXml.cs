using System.Globalization;
using System.Text;
using System.Xml;
using DlibModels.Imaging;
using DlibModels.Landmarks;

namespace DlibModels.Datasets;

/// <summary>Thrown when an imglab XML file is malformed (dlib's "Error on line N: ..." messages).</summary>
public sealed class ImglabFormatException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ImglabFormatException(string message, Exception? inner = null)
        : base(message, inner)
    {
    }
}

/// <summary>
/// Reads and writes dlib's imglab XML dataset files, as <c>load_image_dataset_metadata</c> and
/// <c>save_image_dataset_metadata</c> do: boxes are top/left/width/height (inclusive corners in
/// memory), optional attributes are written only when not at their defaults, parts in name order,
/// numbers with C++ stream formatting (6 significant digits).
/// </summary>
public static class ImglabXml
{
    private static readonly Encoding Latin1 = Encoding.Latin1;

    /// <summary>Loads an imglab XML file; <see cref="ImageDataset.BaseDirectory"/> is set to its folder.</summary>
    /// <exception cref="ImglabFormatException">The XML is malformed or misses a required attribute.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public static ImageDataset Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        using FileStream fs = File.OpenRead(path);
        ImageDataset d = Read(fs, path);
        d.BaseDirectory = Path.GetDirectoryName(Path.GetFullPath(path));
        return d;
    }

    /// <summary>Parses imglab XML from a stream.</summary>
    /// <exception cref="ImglabFormatException">The XML is malformed or misses a required attribute.</exception>
    public static ImageDataset Read(Stream stream, string name = "<stream>")
    {
        ArgumentNullException.ThrowIfNull(stream);
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Ignore, IgnoreComments = true, XmlResolver = null };
        var d = new ImageDataset();
        var stack = new List<string>();
        DatasetImage? image = null;
        DatasetBox? box = null;
        XmlReader created;
        try
        {
            // Create already decodes the first characters: an undecodable start fails here (found by fuzzing).
            created = XmlReader.Create(stream, settings);
        }
        catch (XmlException e)
        {
            throw new ImglabFormatException($"{name}: There is a fatal error on line {e.LineNumber} so parsing will now halt: {e.Message}", e);
        }

        using XmlReader r = created;
        var li = (IXmlLineInfo)r;
        try
        {
            while (r.Read())
            {
                switch (r.NodeType)
                {
                    case XmlNodeType.Element:
                        {
                            string el = r.Name;
                            bool empty = r.IsEmptyElement;
                            if (stack.Count == 0)
                            {
                                if (el != "dataset")
                                {
                                    throw Fail(li, $"Invalid XML document.  Root tag must be <dataset>.  Found <{el}> instead.");
                                }
                            }
                            else if (el == "box")
                            {
                                box = new DatasetBox();
                                long top = Required<long>(r, li, "box", "top");
                                long left = Required<long>(r, li, "box", "left");
                                long width = Required<long>(r, li, "box", "width");
                                long height = Required<long>(r, li, "box", "height");
                                box.Rect = new Rectangle(left, top, left + width - 1, top + height - 1);
                                box.Difficult = Optional(r, li, "difficult", box.Difficult);
                                box.Truncated = Optional(r, li, "truncated", box.Truncated);
                                box.Occluded = Optional(r, li, "occluded", box.Occluded);
                                box.Ignore = Optional(r, li, "ignore", box.Ignore);
                                box.Angle = Optional(r, li, "angle", 0.0);
                                box.Age = Optional(r, li, "age", 0.0);
                                string? g = r.GetAttribute("gender");
                                if (g is not null)
                                {
                                    box.Gender = g switch
                                    {
                                        "male" => BoxGender.Male,
                                        "female" => BoxGender.Female,
                                        "unknown" => BoxGender.Unknown,
                                        _ => throw Fail(li, "Invalid gender string in box attribute."),
                                    };
                                }

                                box.Pose = Optional(r, li, "pose", 0.0);
                                box.DetectionScore = Optional(r, li, "detection_score", 0.0);
                            }
                            else if (el == "part" && stack[^1] == "box" && box is not null)
                            {
                                long x = Required<long>(r, li, "part", "x");
                                long y = Required<long>(r, li, "part", "y");
                                string pn = r.GetAttribute("name") ?? throw Fail(li, "<part> missing required attribute 'name'");
                                if (!box.Parts.TryAdd(pn, new Point(x, y)))
                                {
                                    throw Fail(li, $"<part> with name '{pn}' is defined more than one time in a single box.");
                                }
                            }
                            else if (el == "image")
                            {
                                image = new DatasetImage
                                {
                                    File = r.GetAttribute("file") ?? throw Fail(li, "<image> missing required attribute 'file'"),
                                    Width = Optional(r, li, "width", 0L),
                                    Height = Optional(r, li, "height", 0L),
                                };
                            }

                            stack.Add(el);
                            if (empty)
                            {
                                End(stack, d, ref image, ref box);
                            }

                            break;
                        }

                    case XmlNodeType.EndElement:
                        End(stack, d, ref image, ref box);
                        break;

                    case XmlNodeType.Text:
                    case XmlNodeType.CDATA:
                    case XmlNodeType.Whitespace:
                    case XmlNodeType.SignificantWhitespace:
                        if (stack.Count == 2 && stack[1] == "name")
                        {
                            d.Name = r.Value.Trim();
                        }
                        else if (stack.Count == 2 && stack[1] == "comment")
                        {
                            d.Comment = r.Value.Trim();
                        }
                        else if (stack.Count >= 2 && stack[^1] == "label" && stack[^2] == "box" && box is not null)
                        {
                            box.Label = r.Value.Trim();
                        }

                        break;
                }
            }
        }
        catch (XmlException e)
        {
            throw new ImglabFormatException($"{name}: There is a fatal error on line {e.LineNumber} so parsing will now halt: {e.Message}", e);
        }
        catch (ImglabFormatException e)
        {
            throw new ImglabFormatException($"{name}: {e.Message}", e);
        }
        catch (ArgumentOutOfRangeException e) when (e.TargetSite?.DeclaringType?.Namespace?.StartsWith("System", StringComparison.Ordinal) == true)
        {
            // .NET's XmlTextReader throws this on an XML declaration whose encoding switch leaves a
            // partial character in its buffer (found by fuzzing): report it as malformed XML.
            throw new ImglabFormatException($"{name}: There is a fatal error on line {li.LineNumber} so parsing will now halt: the XML declaration or its encoding is malformed", e);
        }

        return d;
    }

    /// <summary>
    /// Writes the dataset to <paramref name="path"/> in dlib's layout. dlib also writes
    /// <c>image_metadata_stylesheet.xsl</c> beside it; this copies <paramref name="stylesheetSource"/>
    /// there when given and the target does not exist.
    /// </summary>
    public static void Save(ImageDataset dataset, string path, string? stylesheetSource = null)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        ArgumentNullException.ThrowIfNull(path);
        string dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        if (stylesheetSource is not null && File.Exists(stylesheetSource))
        {
            string xsl = Path.Combine(dir, "image_metadata_stylesheet.xsl");
            if (!File.Exists(xsl))
            {
                File.Copy(stylesheetSource, xsl);
            }
        }

        File.WriteAllBytes(path, ToBytes(dataset));
    }

    /// <summary>The file bytes <see cref="Save"/> writes (ISO-8859-1, '\n' line ends).</summary>
    public static byte[] ToBytes(ImageDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        var sb = new StringBuilder();
        sb.Append("<?xml version='1.0' encoding='ISO-8859-1'?>\n");
        sb.Append("<?xml-stylesheet type='text/xsl' href='image_metadata_stylesheet.xsl'?>\n");
        sb.Append("<dataset>\n");
        sb.Append("<name>").Append(Text(dataset.Name)).Append("</name>\n");
        sb.Append("<comment>").Append(Text(dataset.Comment)).Append("</comment>\n");
        sb.Append("<images>\n");
        foreach (DatasetImage img in dataset.Images)
        {
            sb.Append("  <image file='").Append(Attr(img.File)).Append('\'');
            if (img.Width != 0 && img.Height != 0)
            {
                sb.Append(" width='").Append(Num(img.Width)).Append('\'');
                sb.Append(" height='").Append(Num(img.Height)).Append('\'');
            }

            sb.Append(">\n");
            foreach (DatasetBox b in img.Boxes)
            {
                sb.Append("    <box top='").Append(Num(b.Rect.Top)).Append("' left='").Append(Num(b.Rect.Left))
                  .Append("' width='").Append(Num(b.Rect.Right - b.Rect.Left + 1)).Append("' height='").Append(Num(b.Rect.Bottom - b.Rect.Top + 1)).Append('\'');
                if (b.Difficult)
                {
                    sb.Append(" difficult='1'");
                }

                if (b.Truncated)
                {
                    sb.Append(" truncated='1'");
                }

                if (b.Occluded)
                {
                    sb.Append(" occluded='1'");
                }

                if (b.Ignore)
                {
                    sb.Append(" ignore='1'");
                }

                if (b.Angle != 0)
                {
                    sb.Append(" angle='").Append(FormatDouble(b.Angle)).Append('\'');
                }

                if (b.Age != 0)
                {
                    sb.Append(" age='").Append(FormatDouble(b.Age)).Append('\'');
                }

                if (b.Gender == BoxGender.Female)
                {
                    sb.Append(" gender='female'");
                }
                else if (b.Gender == BoxGender.Male)
                {
                    sb.Append(" gender='male'");
                }

                if (b.Pose != 0)
                {
                    sb.Append(" pose='").Append(FormatDouble(b.Pose)).Append('\'');
                }

                if (b.DetectionScore != 0)
                {
                    sb.Append(" detection_score='").Append(FormatDouble(b.DetectionScore)).Append('\'');
                }

                if (b.HasLabel || b.Parts.Count != 0)
                {
                    sb.Append(">\n");
                    if (b.HasLabel)
                    {
                        sb.Append("      <label>").Append(Text(b.Label)).Append("</label>\n");
                    }

                    foreach (KeyValuePair<string, Point> kv in b.Parts)
                    {
                        sb.Append("      <part name='").Append(Attr(kv.Key)).Append("' x='").Append(Num(kv.Value.X))
                          .Append("' y='").Append(Num(kv.Value.Y)).Append("'/>\n");
                    }

                    sb.Append("    </box>\n");
                }
                else
                {
                    sb.Append("/>\n");
                }
            }

            sb.Append("  </image>\n");
        }

        sb.Append("</images>\n");
        sb.Append("</dataset>");
        return Latin1.GetBytes(sb.ToString());
    }

    /// <summary>A double as a C++ output stream writes it by default (printf <c>%g</c>, 6 significant digits).</summary>
    public static string FormatDouble(double v)
    {
        if (double.IsNaN(v))
        {
            return "nan";
        }

        if (double.IsInfinity(v))
        {
            return v > 0 ? "inf" : "-inf";
        }

        return v.ToString("G6", CultureInfo.InvariantCulture).Replace('E', 'e');
    }

    private static string Num(long v) => v.ToString(CultureInfo.InvariantCulture);

    private static string Text(string s) => Escape(s, attribute: false);

    private static string Attr(string s) => Escape(s, attribute: true);

    private static string Escape(string s, bool attribute)
    {
        if (s.AsSpan().IndexOfAny("&<>'") < 0 && !HasWide(s))
        {
            return s;
        }

        var sb = new StringBuilder(s.Length + 16);
        foreach (char c in s)
        {
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '\'' when attribute: sb.Append("&apos;"); break;
                default:
                    if (c > 255)
                    {
                        sb.Append("&#").Append((int)c).Append(';');
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.ToString();
    }

    private static bool HasWide(string s)
    {
        foreach (char c in s)
        {
            if (c > 255)
            {
                return true;
            }
        }

        return false;
    }

    private static void End(List<string> stack, ImageDataset d, ref DatasetImage? image, ref DatasetBox? box)
    {
        string el = stack[^1];
        stack.RemoveAt(stack.Count - 1);
        if (stack.Count == 0)
        {
            return;
        }

        if (el == "box" && stack[^1] == "image" && box is not null && image is not null)
        {
            image.Boxes.Add(box);
            box = null;
        }
        else if (el == "image" && stack[^1] == "images" && image is not null)
        {
            d.Images.Add(image);
            image = null;
        }
    }

    private static ImglabFormatException Fail(IXmlLineInfo li, string message) => new($"Error on line {li.LineNumber}: {message}");

    private static T Required<T>(XmlReader r, IXmlLineInfo li, string element, string attribute)
        where T : IParsable<T>
    {
        string s = r.GetAttribute(attribute) ?? throw Fail(li, $"<{element}> missing required attribute '{attribute}'");
        return Parse<T>(s, li, attribute);
    }

    private static T Optional<T>(XmlReader r, IXmlLineInfo li, string attribute, T fallback)
        where T : IParsable<T>
    {
        string? s = r.GetAttribute(attribute);
        return s is null ? fallback : Parse<T>(s, li, attribute);
    }

    private static T Parse<T>(string s, IXmlLineInfo li, string attribute)
        where T : IParsable<T>
    {
        string t = s.Trim();
        if (typeof(T) == typeof(bool))
        {
            // dlib's string_cast<bool> accepts true/false and integers.
            if (t is "true" or "false")
            {
                return T.Parse(t, CultureInfo.InvariantCulture);
            }

            if (long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out long n))
            {
                return (T)(object)(n != 0);
            }
        }
        else if (T.TryParse(t, CultureInfo.InvariantCulture, out T? v))
        {
            return v;
        }

        throw Fail(li, $"invalid value '{s}' for attribute '{attribute}'");
    }
}
