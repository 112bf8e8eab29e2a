using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Microsoft.Data.Sqlite;

namespace DlibModels.Search;

/// <summary>An index file that cannot be used: not a face index, damaged, or made by another model.</summary>
public sealed class FaceIndexException : Exception
{
    /// <summary>Creates the exception.</summary>
    public FaceIndexException(string message, Exception? inner = null) : base(message, inner)
    {
    }
}

/// <summary>A person in the index.</summary>
/// <param name="Id">Person id.</param>
/// <param name="Name">Unique name.</param>
/// <param name="Metadata">Free text (JSON, say) the caller stores with the person, or null.</param>
/// <param name="FaceCount">Faces assigned to the person.</param>
public sealed record Person(long Id, string Name, string? Metadata, int FaceCount);

/// <summary>A face rectangle in image pixels (dlib's inclusive-exclusive convention is the caller's).</summary>
/// <param name="Left">Left.</param>
/// <param name="Top">Top.</param>
/// <param name="Right">Right.</param>
/// <param name="Bottom">Bottom.</param>
public readonly record struct FaceRect(long Left, long Top, long Right, long Bottom);

/// <summary>A face to add.</summary>
/// <param name="Descriptor">The descriptor (<see cref="FaceIndex.Dimension"/> values).</param>
/// <param name="ModelId">Id of the model that made the descriptor (must equal the index's).</param>
/// <param name="SourceImage">Path of the image the face came from.</param>
/// <param name="ContentHash">Hash of the image's bytes (see <see cref="FaceIndex.HashFile"/>).</param>
/// <param name="Rect">The face rectangle, or null for a chip.</param>
/// <param name="Landmarks">Landmark points as x0,y0,x1,y1,..., or null.</param>
/// <param name="PersonId">The person, or null.</param>
public sealed record NewFace(float[] Descriptor, string ModelId, string SourceImage, string ContentHash, FaceRect? Rect = null, float[]? Landmarks = null, long? PersonId = null);

/// <summary>A face stored in the index.</summary>
/// <param name="Id">Face id (never reused).</param>
/// <param name="PersonId">The person, or null.</param>
/// <param name="SourceImage">Source image path.</param>
/// <param name="ContentHash">Hash of the source image.</param>
/// <param name="Rect">Face rectangle, or null.</param>
/// <param name="Landmarks">Landmarks, or null.</param>
/// <param name="Descriptor">The descriptor.</param>
/// <param name="ModelId">Model that made the descriptor.</param>
/// <param name="Added">When it was added (UTC).</param>
public sealed record FaceEntry(long Id, long? PersonId, string SourceImage, string ContentHash, FaceRect? Rect, float[]? Landmarks, float[] Descriptor, string ModelId, DateTime Added);

/// <summary>A search hit with the face's person and image.</summary>
/// <param name="FaceId">Face id.</param>
/// <param name="PersonId">Person id, or null.</param>
/// <param name="PersonName">Person name, or null.</param>
/// <param name="Distance">Euclidean distance.</param>
/// <param name="SourceImage">The face's source image.</param>
public sealed record FaceMatch(long FaceId, long? PersonId, string? PersonName, double Distance, string SourceImage);

/// <summary>Counts in an index.</summary>
/// <param name="People">People.</param>
/// <param name="Faces">Faces.</param>
/// <param name="UnassignedFaces">Faces with no person.</param>
/// <param name="ModelId">The model id, or null before the first face.</param>
/// <param name="MatrixBytes">Bytes of the in-memory matrix.</param>
public sealed record IndexStats(int People, int Faces, int UnassignedFaces, string? ModelId, long MatrixBytes);

/// <summary>
/// A face index: people and faces in a SQLite file (WAL mode, every add one transaction, so a killed process
/// leaves whole faces only) and every descriptor in one in-memory <see cref="DescriptorMatrix"/> for exact
/// k-nearest-neighbour search. Other processes' changes are picked up by <see cref="Refresh"/> (called by every
/// search): new faces are read by id since the last one seen; removals and reassignments bump a generation
/// counter that makes it reload. Not thread-safe.
/// </summary>
public sealed class FaceIndex : IFaceIndex
{
    /// <summary>face_recognition's default tolerance.</summary>
    public const double DefaultTolerance = 0.6;

    /// <summary>Floats per descriptor.</summary>
    public const int Dimension = 128;

    private const int ApplicationId = 0x444C4658; // "DLFX"
    private const string Format = "dlibmodels-face-index/1";
    private readonly SqliteConnection _db;
    private readonly Dictionary<long, string> _names = [];
    private long _lastFaceId;
    private long _generation;
    private long _dataVersion = -1;

    private FaceIndex(string path, SqliteConnection db)
    {
        Path = path;
        _db = db;
    }

    /// <summary>The index file.</summary>
    public string Path { get; }

    /// <summary>The model id every descriptor comes from, or null before the first face.</summary>
    public string? ModelId { get; private set; }

    /// <summary>The in-memory descriptors.</summary>
    public DescriptorMatrix Matrix { get; } = new(Dimension);

    /// <summary>SHA-256 of a file's bytes, lower-case hex.</summary>
    public static string HashFile(string path)
    {
        using FileStream s = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(s));
    }

    /// <summary>
    /// Opens (or creates) an index file and loads its descriptors. With <paramref name="modelId"/> given, an index
    /// made by another model is refused.
    /// </summary>
    /// <exception cref="FaceIndexException">The file is not a face index, is damaged, or holds another model's descriptors.</exception>
    public static FaceIndex Open(string path, string? modelId = null)
    {
        string full = System.IO.Path.GetFullPath(path);
        var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = full, Pooling = false, DefaultTimeout = 30 }.ToString());
        var index = new FaceIndex(full, db);
        try
        {
            db.Open();
            index.Initialize(modelId);
            index.Reload();
            return index;
        }
        catch (SqliteException e)
        {
            db.Dispose();
            throw new FaceIndexException($"'{full}' is not a usable face index: {e.Message}", e);
        }
        catch
        {
            db.Dispose();
            throw;
        }
    }

    private void Initialize(string? modelId)
    {
        long appId = Scalar<long>("PRAGMA application_id");
        long tables = Scalar<long>("SELECT count(*) FROM sqlite_master");
        if (appId == 0 && tables == 0)
        {
            Execute("PRAGMA journal_mode=WAL");
            using SqliteTransaction tx = _db.BeginTransaction();
            Execute($"""
                PRAGMA application_id={ApplicationId};
                CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
                CREATE TABLE people(id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, metadata TEXT, added TEXT NOT NULL);
                CREATE TABLE faces(id INTEGER PRIMARY KEY AUTOINCREMENT, person_id INTEGER REFERENCES people(id),
                  image TEXT NOT NULL, content_hash TEXT NOT NULL, rect_left INTEGER, rect_top INTEGER, rect_right INTEGER, rect_bottom INTEGER,
                  landmarks BLOB, descriptor BLOB NOT NULL, model TEXT NOT NULL, added TEXT NOT NULL);
                CREATE INDEX faces_person ON faces(person_id);
                INSERT INTO meta VALUES('format', '{Format}'), ('generation', '0');
                """, tx);
            tx.Commit();
        }
        else if (appId != ApplicationId)
        {
            throw new FaceIndexException($"'{Path}' is a SQLite database but not a DlibModels face index (application id 0x{appId:x8}).");
        }
        else
        {
            string? format = MetaValue("format");
            if (format != Format)
            {
                throw new FaceIndexException($"'{Path}' has face index format '{format ?? "(none)"}', this library reads '{Format}'.");
            }

            Execute("PRAGMA journal_mode=WAL");
        }

        Execute("PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; CREATE INDEX IF NOT EXISTS faces_content_hash ON faces(content_hash)");
        ModelId = MetaValue("model");
        if (modelId != null)
        {
            if (ModelId == null)
            {
                SetMeta("model", modelId);
                ModelId = modelId;
            }
            else if (ModelId != modelId)
            {
                throw new FaceIndexException($"'{Path}' holds descriptors of model '{ModelId}', not '{modelId}': descriptors of different models cannot be compared.");
            }
        }
    }

    /// <summary>Re-reads everything from the file.</summary>
    public void Reload()
    {
        Matrix.Clear();
        _lastFaceId = 0;
        _names.Clear();
        _generation = long.Parse(MetaValue("generation") ?? "0", CultureInfo.InvariantCulture);
        _dataVersion = Scalar<long>("PRAGMA data_version");
        LoadPeople();
        ReadNewFaces();
    }

    /// <summary>
    /// Picks up changes other connections committed: new faces are read incrementally (by id since the last one
    /// seen); removals, reassignments and merges (which bump the generation) make it reload.
    /// </summary>
    public void Refresh()
    {
        long version = Scalar<long>("PRAGMA data_version");
        if (version == _dataVersion)
        {
            return;
        }

        _dataVersion = version;
        long generation = long.Parse(MetaValue("generation") ?? "0", CultureInfo.InvariantCulture);
        ModelId ??= MetaValue("model");
        if (generation != _generation)
        {
            Reload();
            return;
        }

        LoadPeople();
        ReadNewFaces();
    }

    private void LoadPeople()
    {
        _names.Clear();
        using SqliteCommand cmd = Command("SELECT id, name FROM people");
        using SqliteDataReader r = cmd.ExecuteReader();
        while (r.Read())
        {
            _names[r.GetInt64(0)] = r.GetString(1);
        }
    }

    private void ReadNewFaces()
    {
        using SqliteCommand cmd = Command("SELECT id, person_id, descriptor, model FROM faces WHERE id > $last ORDER BY id");
        cmd.Parameters.AddWithValue("$last", _lastFaceId);
        using SqliteDataReader r = cmd.ExecuteReader();
        var descriptor = new float[Dimension];
        while (r.Read())
        {
            long id = r.GetInt64(0);
            long? person = r.IsDBNull(1) ? null : r.GetInt64(1);
            byte[] blob = (byte[])r.GetValue(2);
            if (blob.Length != Dimension * sizeof(float))
            {
                throw new FaceIndexException($"'{Path}': face {id} has a descriptor of {blob.Length} bytes, not {Dimension * sizeof(float)}.");
            }

            string model = r.GetString(3);
            if (ModelId != null && model != ModelId)
            {
                throw new FaceIndexException($"'{Path}': face {id} comes from model '{model}', the index from '{ModelId}'.");
            }

            MemoryMarshal.Cast<byte, float>(blob).CopyTo(descriptor);
            Matrix.Add(id, person, descriptor);
            _lastFaceId = Math.Max(_lastFaceId, id);
        }
    }

    /// <summary>Adds a person and returns the id.</summary>
    public long AddPerson(string name, string? metadata = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        using SqliteCommand cmd = Command("INSERT INTO people(name, metadata, added) VALUES($n, $m, $t) RETURNING id");
        cmd.Parameters.AddWithValue("$n", name);
        cmd.Parameters.AddWithValue("$m", (object?)metadata ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$t", Now());
        long id = (long)cmd.ExecuteScalar()!;
        _names[id] = name;
        return id;
    }

    /// <summary>The name of the person with this id, or null (from memory, no query).</summary>
    public string? PersonName(long personId) => _names.GetValueOrDefault(personId);

    /// <summary>The person with this name, or null.</summary>
    public Person? FindPerson(string name) => People().FirstOrDefault(p => p.Name == name);

    /// <summary>The id of the person with this name, added if absent.</summary>
    public long GetOrAddPerson(string name) => FindPerson(name)?.Id ?? AddPerson(name);

    /// <summary>Every person, by name.</summary>
    public IReadOnlyList<Person> People()
    {
        using SqliteCommand cmd = Command("SELECT p.id, p.name, p.metadata, (SELECT count(*) FROM faces f WHERE f.person_id = p.id) FROM people p ORDER BY p.name");
        using SqliteDataReader r = cmd.ExecuteReader();
        var list = new List<Person>();
        while (r.Read())
        {
            list.Add(new Person(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetInt32(3)));
        }

        return list;
    }

    /// <summary>Renames a person.</summary>
    public void RenamePerson(long personId, string newName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(newName);
        using SqliteCommand cmd = Command("UPDATE people SET name = $n WHERE id = $id");
        cmd.Parameters.AddWithValue("$n", newName);
        cmd.Parameters.AddWithValue("$id", personId);
        RequireOne(cmd.ExecuteNonQuery(), "person", personId);
        _names[personId] = newName;
    }

    /// <summary>Sets a person's metadata.</summary>
    public void SetPersonMetadata(long personId, string? metadata)
    {
        using SqliteCommand cmd = Command("UPDATE people SET metadata = $m WHERE id = $id");
        cmd.Parameters.AddWithValue("$m", (object?)metadata ?? DBNull.Value);
        cmd.Parameters.AddWithValue("$id", personId);
        RequireOne(cmd.ExecuteNonQuery(), "person", personId);
    }

    /// <summary>Removes a person; their faces are removed too, or kept unassigned.</summary>
    public void RemovePerson(long personId, bool removeFaces = false)
    {
        using SqliteTransaction tx = _db.BeginTransaction();
        using (SqliteCommand faces = Command(removeFaces ? "DELETE FROM faces WHERE person_id = $id" : "UPDATE faces SET person_id = NULL WHERE person_id = $id", tx))
        {
            faces.Parameters.AddWithValue("$id", personId);
            faces.ExecuteNonQuery();
        }

        using (SqliteCommand cmd = Command("DELETE FROM people WHERE id = $id", tx))
        {
            cmd.Parameters.AddWithValue("$id", personId);
            RequireOne(cmd.ExecuteNonQuery(), "person", personId);
        }

        BumpGeneration(tx);
        tx.Commit();
        Reload();
    }

    /// <summary>Moves every face of <paramref name="fromId"/> to <paramref name="intoId"/> and removes <paramref name="fromId"/>.</summary>
    public void MergePeople(long fromId, long intoId)
    {
        if (fromId == intoId)
        {
            return;
        }

        if (!_names.ContainsKey(intoId))
        {
            throw new ArgumentException($"There is no person {intoId}.", nameof(intoId));
        }

        using SqliteTransaction tx = _db.BeginTransaction();
        using (SqliteCommand cmd = Command("UPDATE faces SET person_id = $into WHERE person_id = $from", tx))
        {
            cmd.Parameters.AddWithValue("$into", intoId);
            cmd.Parameters.AddWithValue("$from", fromId);
            cmd.ExecuteNonQuery();
        }

        using (SqliteCommand cmd = Command("DELETE FROM people WHERE id = $from", tx))
        {
            cmd.Parameters.AddWithValue("$from", fromId);
            RequireOne(cmd.ExecuteNonQuery(), "person", fromId);
        }

        BumpGeneration(tx);
        tx.Commit();
        Matrix.ReplacePerson(fromId, intoId);
        _names.Remove(fromId);
        SyncVersion();
    }

    /// <summary>Adds one face in one transaction and returns its id.</summary>
    public long AddFace(NewFace face) => AddFaces([face])[0];

    /// <summary>Adds faces in one transaction (all or none) and returns their ids.</summary>
    /// <exception cref="FaceIndexException">A descriptor comes from another model than the index's.</exception>
    public IReadOnlyList<long> AddFaces(IEnumerable<NewFace> faces)
    {
        Refresh();
        List<NewFace> list = [.. faces];
        foreach (NewFace f in list)
        {
            if (f.Descriptor.Length != Dimension)
            {
                throw new ArgumentException($"A descriptor has {Dimension} values, this one {f.Descriptor.Length}.", nameof(faces));
            }

            string expected = ModelId ?? list[0].ModelId;
            if (f.ModelId != expected)
            {
                throw new FaceIndexException($"'{Path}' holds descriptors of model '{expected}'; a descriptor of model '{f.ModelId}' cannot be added (distances between models mean nothing).");
            }
        }

        var ids = new List<long>(list.Count);
        if (list.Count == 0)
        {
            return ids;
        }

        using SqliteTransaction tx = _db.BeginTransaction();
        if (ModelId == null)
        {
            SetMeta("model", list[0].ModelId, tx);
        }

        using SqliteCommand cmd = Command("""
            INSERT INTO faces(person_id, image, content_hash, rect_left, rect_top, rect_right, rect_bottom, landmarks, descriptor, model, added)
            VALUES($p, $img, $h, $l, $t, $r, $b, $lm, $d, $m, $a) RETURNING id
            """, tx);
        SqliteParameter[] ps = [.. new[] { "$p", "$img", "$h", "$l", "$t", "$r", "$b", "$lm", "$d", "$m", "$a" }.Select(n => cmd.Parameters.Add(n, SqliteType.Text))];
        ps[7].SqliteType = SqliteType.Blob;
        ps[8].SqliteType = SqliteType.Blob;
        string now = Now();
        foreach (NewFace f in list)
        {
            ps[0].Value = (object?)f.PersonId ?? DBNull.Value;
            ps[1].Value = f.SourceImage;
            ps[2].Value = f.ContentHash;
            ps[3].Value = (object?)f.Rect?.Left ?? DBNull.Value;
            ps[4].Value = (object?)f.Rect?.Top ?? DBNull.Value;
            ps[5].Value = (object?)f.Rect?.Right ?? DBNull.Value;
            ps[6].Value = (object?)f.Rect?.Bottom ?? DBNull.Value;
            ps[7].Value = f.Landmarks == null ? DBNull.Value : MemoryMarshal.AsBytes(f.Landmarks.AsSpan()).ToArray();
            ps[8].Value = MemoryMarshal.AsBytes(f.Descriptor.AsSpan()).ToArray();
            ps[9].Value = f.ModelId;
            ps[10].Value = now;
            ids.Add((long)cmd.ExecuteScalar()!);
        }

        tx.Commit();
        ModelId ??= list[0].ModelId;
        for (int i = 0; i < list.Count; i++)
        {
            Matrix.Add(ids[i], list[i].PersonId, list[i].Descriptor);
            _lastFaceId = Math.Max(_lastFaceId, ids[i]);
        }

        SyncVersion();
        return ids;
    }

    /// <summary>Removes a face. Returns whether it existed.</summary>
    public bool RemoveFace(long faceId)
    {
        using SqliteTransaction tx = _db.BeginTransaction();
        using SqliteCommand cmd = Command("DELETE FROM faces WHERE id = $id", tx);
        cmd.Parameters.AddWithValue("$id", faceId);
        bool removed = cmd.ExecuteNonQuery() == 1;
        if (removed)
        {
            BumpGeneration(tx);
        }

        tx.Commit();
        Matrix.Remove(faceId);
        SyncVersion();
        return removed;
    }

    /// <summary>Assigns a face to a person (or to none).</summary>
    public void ReassignFace(long faceId, long? personId)
    {
        using SqliteTransaction tx = _db.BeginTransaction();
        using (SqliteCommand cmd = Command("UPDATE faces SET person_id = $p WHERE id = $id", tx))
        {
            cmd.Parameters.AddWithValue("$p", (object?)personId ?? DBNull.Value);
            cmd.Parameters.AddWithValue("$id", faceId);
            RequireOne(cmd.ExecuteNonQuery(), "face", faceId);
        }

        BumpGeneration(tx);
        tx.Commit();
        Matrix.SetPerson(faceId, personId);
        SyncVersion();
    }

    /// <summary>Assigns several faces to one person in one transaction (all or none).</summary>
    public void AssignFaces(IReadOnlyCollection<long> faceIds, long? personId)
    {
        ArgumentNullException.ThrowIfNull(faceIds);
        using SqliteTransaction tx = _db.BeginTransaction();
        using (SqliteCommand cmd = Command("UPDATE faces SET person_id = $p WHERE id = $id", tx))
        {
            cmd.Parameters.AddWithValue("$p", (object?)personId ?? DBNull.Value);
            SqliteParameter id = cmd.Parameters.Add("$id", SqliteType.Integer);
            foreach (long faceId in faceIds)
            {
                id.Value = faceId;
                RequireOne(cmd.ExecuteNonQuery(), "face", faceId);
            }
        }

        BumpGeneration(tx);
        tx.Commit();
        foreach (long faceId in faceIds)
        {
            Matrix.SetPerson(faceId, personId);
        }

        SyncVersion();
    }

    /// <summary>Faces, of one person or all, by id.</summary>
    public IReadOnlyList<FaceEntry> Faces(long? personId = null)
    {
        using SqliteCommand cmd = Command("SELECT id, person_id, image, content_hash, rect_left, rect_top, rect_right, rect_bottom, landmarks, descriptor, model, added FROM faces"
            + (personId == null ? "" : " WHERE person_id = $p") + " ORDER BY id");
        if (personId != null)
        {
            cmd.Parameters.AddWithValue("$p", personId.Value);
        }

        return ReadFaces(cmd);
    }

    /// <summary>The number of faces stored from an image with this content hash (see <see cref="HashFile"/>).</summary>
    public int CountFacesOfImage(string contentHash)
    {
        using SqliteCommand cmd = Command("SELECT count(*) FROM faces WHERE content_hash = $h");
        cmd.Parameters.AddWithValue("$h", contentHash);
        return (int)(long)cmd.ExecuteScalar()!;
    }

    /// <summary>One face, or null.</summary>
    public FaceEntry? GetFace(long faceId)
    {
        using SqliteCommand cmd = Command("SELECT id, person_id, image, content_hash, rect_left, rect_top, rect_right, rect_bottom, landmarks, descriptor, model, added FROM faces WHERE id = $id");
        cmd.Parameters.AddWithValue("$id", faceId);
        return ReadFaces(cmd).FirstOrDefault();
    }

    private static List<FaceEntry> ReadFaces(SqliteCommand cmd)
    {
        using SqliteDataReader r = cmd.ExecuteReader();
        var list = new List<FaceEntry>();
        while (r.Read())
        {
            FaceRect? rect = r.IsDBNull(4) ? null : new FaceRect(r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7));
            float[]? lm = r.IsDBNull(8) ? null : MemoryMarshal.Cast<byte, float>((byte[])r.GetValue(8)).ToArray();
            float[] d = MemoryMarshal.Cast<byte, float>((byte[])r.GetValue(9)).ToArray();
            list.Add(new FaceEntry(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.GetString(2), r.GetString(3), rect, lm, d, r.GetString(10),
                DateTime.Parse(r.GetString(11), CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal)));
        }

        return list;
    }

    /// <summary>
    /// The <paramref name="k"/> faces nearest to a descriptor within <paramref name="maxDistance"/>, nearest first.
    /// </summary>
    public IReadOnlyList<FaceMatch> Search(float[] descriptor, int k = 5, double maxDistance = double.PositiveInfinity)
    {
        Refresh();
        Neighbor[] hits = Matrix.Search(descriptor, k, maxDistance);
        return ToMatches(hits);
    }

    /// <summary>The person whose nearest face is nearest to the descriptor, if within <paramref name="tolerance"/> (face_recognition's 0.6); else null.</summary>
    public FaceMatch? Identify(float[] descriptor, double tolerance = DefaultTolerance)
    {
        Refresh();
        Neighbor[] hits = Matrix.Search(descriptor, 1, tolerance, labeledOnly: true);
        return hits.Length == 0 ? null : ToMatches(hits)[0];
    }

    /// <summary>The distance between two stored faces and whether it is within <paramref name="tolerance"/>.</summary>
    public (double Distance, bool SamePerson) Verify(long faceA, long faceB, double tolerance = DefaultTolerance)
    {
        Refresh();
        float[] a = Matrix.Get(faceA) ?? throw new ArgumentException($"There is no face {faceA}.", nameof(faceA));
        float[] b = Matrix.Get(faceB) ?? throw new ArgumentException($"There is no face {faceB}.", nameof(faceB));
        double d = Distance(a, b);
        return (d, d <= tolerance);
    }

    /// <summary>Euclidean distance between two descriptors (double accumulation).</summary>
    public static double Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double d = a[i] - b[i];
            s += d * d;
        }

        return Math.Sqrt(s);
    }

    /// <summary>Counts.</summary>
    public IndexStats Stats()
    {
        Refresh();
        int people = (int)Scalar<long>("SELECT count(*) FROM people");
        int faces = (int)Scalar<long>("SELECT count(*) FROM faces");
        int unassigned = (int)Scalar<long>("SELECT count(*) FROM faces WHERE person_id IS NULL");
        return new IndexStats(people, faces, unassigned, ModelId, Matrix.MemoryBytes);
    }

    private List<FaceMatch> ToMatches(Neighbor[] hits)
    {
        var images = new Dictionary<long, string>();
        if (hits.Length > 0)
        {
            using SqliteCommand cmd = Command($"SELECT id, image FROM faces WHERE id IN ({string.Join(',', hits.Select(h => h.FaceId.ToString(CultureInfo.InvariantCulture)))})");
            using SqliteDataReader r = cmd.ExecuteReader();
            while (r.Read())
            {
                images[r.GetInt64(0)] = r.GetString(1);
            }
        }

        return [.. hits.Select(h => new FaceMatch(h.FaceId, h.PersonId, h.PersonId is long p && _names.TryGetValue(p, out string? n) ? n : null, h.Distance, images.GetValueOrDefault(h.FaceId, "")))];
    }

    /// <inheritdoc/>
    public void Dispose() => _db.Dispose();

    private void BumpGeneration(SqliteTransaction tx)
    {
        using SqliteCommand cmd = Command("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation' RETURNING value", tx);
        _generation = long.Parse(cmd.ExecuteScalar()!.ToString()!, CultureInfo.InvariantCulture);
    }

    /// <summary>Our own commits change nothing to re-read: only other connections' commits change data_version.</summary>
    private void SyncVersion() => _dataVersion = Scalar<long>("PRAGMA data_version");

    private static void RequireOne(int rows, string what, long id)
    {
        if (rows != 1)
        {
            throw new ArgumentException($"There is no {what} {id}.");
        }
    }

    private static string Now() => DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture);

    private string? MetaValue(string key)
    {
        using SqliteCommand cmd = Command("SELECT value FROM meta WHERE key = $k");
        cmd.Parameters.AddWithValue("$k", key);
        return cmd.ExecuteScalar() as string;
    }

    private void SetMeta(string key, string value, SqliteTransaction? tx = null)
    {
        using SqliteCommand cmd = Command("INSERT OR REPLACE INTO meta VALUES($k, $v)", tx);
        cmd.Parameters.AddWithValue("$k", key);
        cmd.Parameters.AddWithValue("$v", value);
        cmd.ExecuteNonQuery();
    }

    private SqliteCommand Command(string sql, SqliteTransaction? tx = null)
    {
        SqliteCommand cmd = _db.CreateCommand();
        cmd.CommandText = sql;
        cmd.Transaction = tx;
        return cmd;
    }

    private void Execute(string sql, SqliteTransaction? tx = null)
    {
        using SqliteCommand cmd = Command(sql, tx);
        cmd.ExecuteNonQuery();
    }

    private T Scalar<T>(string sql)
    {
        using SqliteCommand cmd = Command(sql);
        return (T)Convert.ChangeType(cmd.ExecuteScalar()!, typeof(T), CultureInfo.InvariantCulture);
    }
}
