using System.CommandLine;
using System.Text.Json;
using DlibModels.Dnn;
using DlibModels.Zoo;

namespace DlibModels.Cli.Commands;

/// <summary><c>dlib-models inspect FILE [--json] [--arch EXPR]</c>: what a dlib file holds, layer by layer.</summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var file = new Argument<string>("FILE") { Description = "A dlib model file (.dat/.dnn, plain or .bz2)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object: objects, layers (type, params, parameter_count), parameter_count." };
        var arch = new Option<string?>("--arch") { Description = "The network's dlib type expression, e.g. \"using net_type = loss_metric<fc_no_bias<128,...>>;\" (default: built-in zoo types, then inference)." };
        var command = new Command("inspect", "Show what a dlib model file holds: each object, and each network layer with its hyper-parameters and parameter count.\nExample: dlib-models inspect mmod_human_face_detector.dat.bz2 --json")
        {
            file,
            json,
            arch,
        };
        command.SetAction(parse =>
        {
            string path = parse.GetValue(file)!;
            try
            {
                ModelFileContents contents = ModelFileContents.Read(path, parse.GetValue(arch));
                if (parse.GetValue(json))
                {
                    WriteJson(contents);
                }
                else
                {
                    WriteText(contents);
                }

                return 0;
            }
            catch (Exception e) when (e is Serialization.DlibFormatException or IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"dlib-models inspect: {e.Message}");
                return 1;
            }
        });
        return command;
    }

    private static void WriteText(ModelFileContents contents)
    {
        Console.WriteLine($"{contents.Path}: {contents.ByteCount} bytes (decompressed)");
        foreach (ModelObject o in contents.Objects)
        {
            Console.WriteLine($"  object {o.Kind}: {o.Summary} (bytes {o.StartOffset}..{o.EndOffset})");
        }

        if (contents.Network is { } net)
        {
            Console.WriteLine($"layer<0>\t{net.Loss.Kind}");
            for (int i = net.Layers.Count - 1, index = 1; i >= 0; i--, index++)
            {
                Layer layer = net.Layers[i];
                Console.WriteLine($"layer<{index}>\t{layer.Describe()}{(layer.ParameterCount > 0 ? $"\tparams={layer.ParameterCount}" : string.Empty)}");
            }

            Console.WriteLine($"layer<{net.Layers.Count + 1}>\t{net.Input.Describe()}");
            Console.WriteLine($"parameter_count: {net.ParameterCount}");
        }
    }

    private static void WriteJson(ModelFileContents contents)
    {
        using var stdout = Console.OpenStandardOutput();
        using var w = new Utf8JsonWriter(stdout);
        w.WriteStartObject();
        w.WriteString("file", contents.Path);
        w.WriteNumber("bytes", contents.ByteCount);
        w.WriteStartArray("objects");
        foreach (ModelObject o in contents.Objects)
        {
            w.WriteStartObject();
            w.WriteString("type", o.Kind);
            w.WriteString("summary", o.Summary);
            w.WriteNumber("offset", o.StartOffset);
            w.WriteNumber("end", o.EndOffset);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartArray("layers");
        if (contents.Network is { } net)
        {
            w.WriteStartObject();
            w.WriteNumber("index", 0);
            w.WriteString("type", net.Loss.Kind);
            w.WriteString("params", string.Empty);
            w.WriteNumber("parameter_count", 0);
            w.WriteEndObject();
            for (int i = net.Layers.Count - 1, index = 1; i >= 0; i--, index++)
            {
                Layer layer = net.Layers[i];
                w.WriteStartObject();
                w.WriteNumber("index", index);
                w.WriteString("type", layer.Kind);
                w.WriteString("params", layer.Describe());
                w.WriteNumber("parameter_count", layer.ParameterCount);
                w.WriteEndObject();
            }

            w.WriteStartObject();
            w.WriteNumber("index", net.Layers.Count + 1);
            w.WriteString("type", "input");
            w.WriteString("params", net.Input.Describe());
            w.WriteNumber("parameter_count", 0);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        if (contents.Network is { } n)
        {
            w.WriteString("architecture", n.Architecture.Trim());
        }

        w.WriteNumber("parameter_count", contents.ParameterCount);
        w.WriteEndObject();
        w.Flush();
        stdout.WriteByte((byte)'\n');
    }
}
