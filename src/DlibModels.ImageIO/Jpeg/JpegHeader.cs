namespace DlibModels.ImageIO.Jpeg;

/// <summary>
/// What a JPEG stream declares before its first scan: the frame header (size, precision,
/// components and their sampling factors) and the markers that decide the colour space the way
/// libjpeg-turbo's <c>jpeg_read_header</c> does (JFIF APP0, Adobe APP14, component ids).
/// Parsed by us so that sizes are checked before any pixel memory is allocated.
/// </summary>
internal sealed class JpegHeader
{
    private JpegHeader(int frameMarker, int precision, int width, int height, JpegComponent[] components, bool sawJfif, bool sawAdobe, int adobeTransform)
    {
        FrameMarker = frameMarker;
        Precision = precision;
        Width = width;
        Height = height;
        Components = components;
        SawJfif = sawJfif;
        SawAdobe = sawAdobe;
        AdobeTransform = adobeTransform;
    }

    /// <summary>The SOFn marker code (0xC0..0xCF).</summary>
    public int FrameMarker { get; }

    public int Precision { get; }

    public int Width { get; }

    public int Height { get; }

    public JpegComponent[] Components { get; }

    public bool SawJfif { get; }

    public bool SawAdobe { get; }

    public int AdobeTransform { get; }

    /// <summary>
    /// True when three components are YCbCr (false: RGB), decided with libjpeg-turbo 2.1.5's rules:
    /// a JFIF marker means YCbCr; else an Adobe marker's transform (0: RGB, anything else: YCbCr);
    /// else component ids 'R','G','B' mean RGB; everything else is YCbCr.
    /// </summary>
    public bool IsYCbCr
    {
        get
        {
            if (SawJfif)
            {
                return true;
            }

            if (SawAdobe)
            {
                return AdobeTransform != 0;
            }

            return !(Components.Length == 3 && Components[0].Id == 'R' && Components[1].Id == 'G' && Components[2].Id == 'B');
        }
    }

    /// <summary>Reads markers from SOI up to the first SOS.</summary>
    /// <exception cref="ImageFormatProblem">The stream is not a JPEG or ends before its first scan.</exception>
    public static JpegHeader Parse(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4 || data[0] != 0xFF || data[1] != 0xD8)
        {
            throw new ImageFormatProblem("not a JPEG file (no SOI marker)");
        }

        int pos = 2;
        bool sawJfif = false, sawAdobe = false;
        int adobeTransform = 0;
        int frameMarker = -1, precision = 0, width = 0, height = 0;
        JpegComponent[]? components = null;

        while (true)
        {
            // Find the next marker, skipping garbage and fill bytes as libjpeg's next_marker does.
            while (pos < data.Length && data[pos] != 0xFF)
            {
                pos++;
            }

            while (pos < data.Length && data[pos] == 0xFF)
            {
                pos++;
            }

            if (pos >= data.Length)
            {
                throw new ImageFormatProblem("the file ends before the first scan (truncated or not a JPEG)");
            }

            int marker = data[pos++];
            if (marker == 0xD8 || (marker >= 0xD0 && marker <= 0xD7) || marker == 0x01)
            {
                continue; // standalone markers
            }

            if (marker == 0xD9)
            {
                throw new ImageFormatProblem("the file has no image data (EOI before the first scan)");
            }

            if (pos + 2 > data.Length)
            {
                throw new ImageFormatProblem("the file ends inside a marker segment (truncated)");
            }

            int length = (data[pos] << 8) | data[pos + 1];
            if (length < 2)
            {
                throw new ImageFormatProblem($"bogus marker length {length}");
            }

            if (pos + length > data.Length)
            {
                throw new ImageFormatProblem("the file ends inside a marker segment (truncated)");
            }

            ReadOnlySpan<byte> seg = data.Slice(pos + 2, length - 2);
            pos += length;

            if (marker == 0xDA)
            {
                if (components is null)
                {
                    throw new ImageFormatProblem("scan before the frame header (no SOF marker)");
                }

                return new JpegHeader(frameMarker, precision, width, height, components, sawJfif, sawAdobe, adobeTransform);
            }

            if (marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC)
            {
                if (components is not null)
                {
                    throw new ImageFormatProblem("more than one frame header (SOF marker)");
                }

                if (seg.Length < 6)
                {
                    throw new ImageFormatProblem("bogus frame header length");
                }

                frameMarker = marker;
                precision = seg[0];
                height = (seg[1] << 8) | seg[2];
                width = (seg[3] << 8) | seg[4];
                int n = seg[5];
                if (n == 0 || seg.Length != 6 + (3 * n))
                {
                    throw new ImageFormatProblem("bogus frame header length");
                }

                components = new JpegComponent[n];
                for (int i = 0; i < n; i++)
                {
                    int id = seg[6 + (3 * i)];
                    int hv = seg[7 + (3 * i)];
                    components[i] = new JpegComponent(id, hv >> 4, hv & 15);
                }
            }
            else if (marker == 0xE0 && seg.Length >= 14 && seg[0] == 'J' && seg[1] == 'F' && seg[2] == 'I' && seg[3] == 'F' && seg[4] == 0)
            {
                sawJfif = true;
            }
            else if (marker == 0xEE && seg.Length >= 12 && seg[0] == 'A' && seg[1] == 'd' && seg[2] == 'o' && seg[3] == 'b' && seg[4] == 'e')
            {
                sawAdobe = true;
                adobeTransform = seg[11];
            }
        }
    }
}

/// <summary>One component of a JPEG frame.</summary>
internal readonly record struct JpegComponent(int Id, int H, int V);
