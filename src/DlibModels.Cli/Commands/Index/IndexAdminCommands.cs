using System.CommandLine;
using System.Globalization;
using DlibModels.Cli.Output;
using DlibModels.Search;

namespace DlibModels.Cli.Commands.Index;

/// <summary>
/// The index's bookkeeping subcommands: <c>people</c>, <c>faces</c>, <c>remove</c>, <c>rename</c>,
/// <c>merge</c> and <c>stats</c>. Each works on an existing index and prints a table, or JSON Lines
/// with <c>--json</c>.
/// </summary>
internal static class IndexAdminCommands
{
    public static IEnumerable<Command> Create() => [People(), Faces(), Remove(), Rename(), Merge(), Stats()];

    private static Option<bool> Json(string holds) => new("--json") { Description = $"JSON Lines: {holds}." };

    private static Command People()
    {
        Argument<string> index = IndexCommand.IndexArgument();
        Option<bool> json = Json("one object per person: id, name, faces, cluster");
        var command = new Command("people", "List the people in the index and their face counts.") { index, json };
        command.SetAction(parse => With(parse.GetValue(index)!, "people", store =>
        {
            bool asJson = parse.GetValue(json);
            using Stream stdout = Console.OpenStandardOutput();
            foreach (Person p in store.People())
            {
                bool cluster = p.Metadata == UnknownFaces.ClusterMetadata;
                if (asJson)
                {
                    JsonFields.Line(stdout, w =>
                    {
                        w.WriteNumber("id", p.Id);
                        w.WriteString("name", p.Name);
                        w.WriteNumber("faces", p.FaceCount);
                        w.WriteBoolean("cluster", cluster);
                    });
                }
                else
                {
                    Console.WriteLine($"{p.Id,8}  {p.FaceCount,6} face(s)  {p.Name}{(cluster ? "  (unnamed cluster)" : string.Empty)}");
                }
            }

            return 0;
        }));
        return command;
    }

    private static Command Faces()
    {
        Argument<string> index = IndexCommand.IndexArgument();
        var person = new Option<string?>("--person") { Description = "Only this person's faces." };
        var unassigned = new Option<bool>("--unassigned") { Description = "Only faces that belong to nobody." };
        Option<bool> json = Json("one object per face: id, person, image, content_hash, rect, model, added");
        var command = new Command("faces", "List the stored faces.") { index, person, unassigned, json };
        command.SetAction(parse => With(parse.GetValue(index)!, "faces", store =>
        {
            long? only = null;
            if (parse.GetValue(person) is string name)
            {
                if (store.FindPerson(name) is not Person p)
                {
                    Console.Error.WriteLine($"dlib-models index faces: no person named '{name}'");
                    return 1;
                }

                only = p.Id;
            }

            Dictionary<long, string> names = store.People().ToDictionary(p => p.Id, p => p.Name);
            bool asJson = parse.GetValue(json);
            bool onlyUnassigned = parse.GetValue(unassigned);
            using Stream stdout = Console.OpenStandardOutput();
            foreach (FaceEntry f in store.Faces(only))
            {
                if (onlyUnassigned && f.PersonId is not null)
                {
                    continue;
                }

                string? who = f.PersonId is long id ? names.GetValueOrDefault(id) : null;
                if (asJson)
                {
                    JsonFields.Line(stdout, w =>
                    {
                        w.WriteNumber("id", f.Id);
                        w.WriteString("person", who); // null is written as JSON null

                        w.WriteString("image", f.SourceImage);
                        w.WriteString("content_hash", f.ContentHash);
                        if (f.Rect is FaceRect r)
                        {
                            JsonFields.Rect(w, "rect", new Imaging.Rectangle(r.Left, r.Top, r.Right, r.Bottom));
                        }
                        else
                        {
                            w.WriteNull("rect");
                        }

                        w.WriteString("model", f.ModelId);
                        w.WriteString("added", f.Added.ToString("O", CultureInfo.InvariantCulture));
                    });
                }
                else
                {
                    string rect = f.Rect is FaceRect r ? $"[({r.Left}, {r.Top}) ({r.Right}, {r.Bottom})]" : "(chip)";
                    Console.WriteLine($"{f.Id,8}  {who ?? "-",-20}  {rect,-28}  {f.SourceImage}");
                }
            }

            return 0;
        }));
        return command;
    }

    private static Command Remove()
    {
        Argument<string> index = IndexCommand.IndexArgument();
        var person = new Option<string?>("--person") { Description = "Remove this person (their faces stay, unassigned, unless --with-faces)." };
        var withFaces = new Option<bool>("--with-faces") { Description = "With --person: remove the person's faces too." };
        var faces = new Option<long[]>("--face") { Description = "Remove these faces (ids from `index faces`).", AllowMultipleArgumentsPerToken = true };
        Option<bool> json = Json("one object: removed_person, removed_faces");
        var command = new Command("remove", "Remove a person or faces.\nExample: dlib-models index remove people.db --person bob --with-faces") { index, person, withFaces, faces, json };
        command.SetAction(parse => With(parse.GetValue(index)!, "remove", store =>
        {
            string? name = parse.GetValue(person);
            long[] ids = parse.GetValue(faces) ?? [];
            if ((name is null) == (ids.Length == 0))
            {
                Console.Error.WriteLine("dlib-models index remove: give either --person NAME or --face ID...");
                return 1;
            }

            int removedFaces = 0;
            if (name is not null)
            {
                if (store.FindPerson(name) is not Person p)
                {
                    Console.Error.WriteLine($"dlib-models index remove: no person named '{name}'");
                    return 1;
                }

                bool also = parse.GetValue(withFaces);
                store.RemovePerson(p.Id, also);
                removedFaces = also ? p.FaceCount : 0;
            }
            else
            {
                long[] missing = [.. ids.Where(id => store.GetFace(id) is null)];
                if (missing.Length > 0)
                {
                    Console.Error.WriteLine($"dlib-models index remove: no face with id {string.Join(", ", missing)}; nothing removed");
                    return 1;
                }

                foreach (long id in ids)
                {
                    removedFaces += store.RemoveFace(id) ? 1 : 0;
                }
            }

            Report(parse.GetValue(json), w =>
            {
                w.WriteString("removed_person", name); // null is written as JSON null

                w.WriteNumber("removed_faces", removedFaces);
            }, $"removed {(name is null ? string.Empty : $"person {name} and ")}{removedFaces} face(s)");
            return 0;
        }));
        return command;
    }

    private static Command Rename()
    {
        Argument<string> index = IndexCommand.IndexArgument();
        var from = new Argument<string>("NAME") { Description = "The person (or unnamed cluster) to rename." };
        var to = new Argument<string>("NEW_NAME") { Description = "The new name." };
        Option<bool> json = Json("one object: id, name, faces");
        var command = new Command("rename", "Rename a person; renaming a cluster names its faces.\nExample: dlib-models index rename people.db cluster-17 alice") { index, from, to, json };
        command.SetAction(parse => With(parse.GetValue(index)!, "rename", store =>
        {
            string oldName = parse.GetValue(from)!, newName = parse.GetValue(to)!;
            if (string.IsNullOrWhiteSpace(newName))
            {
                Console.Error.WriteLine("dlib-models index rename: NEW_NAME is empty");
                return 1;
            }

            if (store.FindPerson(oldName) is not Person p)
            {
                Console.Error.WriteLine($"dlib-models index rename: no person named '{oldName}'");
                return 1;
            }

            if (store.FindPerson(newName) is not null)
            {
                Console.Error.WriteLine($"dlib-models index rename: '{newName}' already exists; use `index merge INDEX {oldName} {newName}` to join them");
                return 1;
            }

            store.RenamePerson(p.Id, newName);
            if (p.Metadata == UnknownFaces.ClusterMetadata)
            {
                store.SetPersonMetadata(p.Id, null);
            }

            Report(parse.GetValue(json), w =>
            {
                w.WriteNumber("id", p.Id);
                w.WriteString("name", newName);
                w.WriteNumber("faces", p.FaceCount);
            }, $"renamed {oldName} to {newName} ({p.FaceCount} face(s))");
            return 0;
        }));
        return command;
    }

    private static Command Merge()
    {
        Argument<string> index = IndexCommand.IndexArgument();
        var from = new Argument<string>("FROM") { Description = "The person whose faces move (removed afterwards)." };
        var into = new Argument<string>("INTO") { Description = "The person who receives them." };
        Option<bool> json = Json("one object: id, name, faces");
        var command = new Command("merge", "Move every face of one person to another and remove the first.") { index, from, into, json };
        command.SetAction(parse => With(parse.GetValue(index)!, "merge", store =>
        {
            string a = parse.GetValue(from)!, b = parse.GetValue(into)!;
            Person? pa = store.FindPerson(a), pb = store.FindPerson(b);
            if (pa is null || pb is null)
            {
                Console.Error.WriteLine($"dlib-models index merge: no person named '{(pa is null ? a : b)}'");
                return 1;
            }

            store.MergePeople(pa.Id, pb.Id);
            int faces = pa.Id == pb.Id ? pb.FaceCount : pa.FaceCount + pb.FaceCount;
            Report(parse.GetValue(json), w =>
            {
                w.WriteNumber("id", pb.Id);
                w.WriteString("name", pb.Name);
                w.WriteNumber("faces", faces);
            }, $"merged {a} into {b} ({faces} face(s))");
            return 0;
        }));
        return command;
    }

    private static Command Stats()
    {
        Argument<string> index = IndexCommand.IndexArgument();
        Option<bool> json = Json("one object: people, faces, unassigned_faces, model, matrix_bytes, file_bytes");
        var command = new Command("stats", "Counts, the model the descriptors come from, and sizes.") { index, json };
        command.SetAction(parse => With(parse.GetValue(index)!, "stats", store =>
        {
            IndexStats s = store.Stats();
            long fileBytes = new FileInfo(store.Path).Length;
            Report(parse.GetValue(json), w =>
            {
                w.WriteNumber("people", s.People);
                w.WriteNumber("faces", s.Faces);
                w.WriteNumber("unassigned_faces", s.UnassignedFaces);
                w.WriteString("model", s.ModelId); // null is written as JSON null

                w.WriteNumber("matrix_bytes", s.MatrixBytes);
                w.WriteNumber("file_bytes", fileBytes);
            }, $"{s.People} people, {s.Faces} face(s) ({s.UnassignedFaces} unassigned), model {s.ModelId ?? "(none yet)"}, {s.MatrixBytes >> 20} MB in memory, {fileBytes >> 20} MB on disk");
            return 0;
        }));
        return command;
    }

    private static int With(string spec, string subcommand, Func<FaceIndex, int> body)
    {
        using FaceIndex? store = IndexCommand.TryOpen(spec, subcommand, mustExist: true);
        return store is null ? 1 : body(store);
    }

    private static void Report(bool asJson, Action<System.Text.Json.Utf8JsonWriter> fields, string text)
    {
        if (asJson)
        {
            using Stream stdout = Console.OpenStandardOutput();
            JsonFields.Line(stdout, fields);
        }
        else
        {
            Console.WriteLine(text);
        }
    }
}
