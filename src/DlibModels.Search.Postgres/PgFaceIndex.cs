using System.Net.Sockets;
using System.Text.RegularExpressions;
using Npgsql;
using NpgsqlTypes;
using Pgvector;

namespace DlibModels.Search.Postgres;

/// <summary>
/// A face index in PostgreSQL with pgvector: tables <c>meta</c>, <c>people</c> and <c>faces</c> (descriptor
/// <c>vector(128)</c>, HNSW index with <c>vector_l2_ops</c>) in one schema. Searches run in the database, so
/// several processes (each with its own <see cref="PgFaceIndex"/>) share one index and always see each other's
/// committed faces; every add is one transaction (all or none). Distances are pgvector's float32 Euclidean ones.
/// Thread-safe: every operation takes a pooled connection.
/// </summary>
public sealed partial class PgFaceIndex : IFaceIndex
{
    private const string Format = "dlibmodels-pg-face-index/1";
    private const string FaceColumns = "id, person_id, image, content_hash, rect_left, rect_top, rect_right, rect_bottom, landmarks, descriptor, model, added";
    private readonly NpgsqlDataSource _source;
    private readonly string _s; // quoted schema
    private readonly string _where; // host:port/database, for messages
    private readonly bool _iterativeScan;

    private PgFaceIndex(NpgsqlDataSource source, PgFaceIndexOptions options, string where, bool iterativeScan)
    {
        _source = source;
        Options = options;
        _s = "\"" + options.Schema + "\"";
        _where = where;
        _iterativeScan = iterativeScan;
    }

    /// <summary>The options the index was opened with.</summary>
    public PgFaceIndexOptions Options { get; }

    /// <summary>The model id every descriptor comes from, or null before the first face.</summary>
    public string? ModelId { get; private set; }

    /// <summary>Whether <paramref name="value"/> is a PostgreSQL connection string (key/value with Host or Server, or a postgresql:// URL) rather than a file path.</summary>
    public static bool LooksLikeConnectionString(string? value) => PgConnectionString.LooksLike(value);

    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$", RegexOptions.CultureInvariant)]
    private static partial Regex SchemaName();

    /// <summary>
    /// Connects, creates the schema and tables if absent (and the vector extension, where allowed) and checks the
    /// model id. <paramref name="connectionString"/> is Npgsql's key/value form or a <c>postgresql://</c> URL.
    /// </summary>
    /// <exception cref="FaceIndexException">No connection (the message names the host and what failed), no pgvector, a schema that is not a face index, or another model's index.</exception>
    public static PgFaceIndex Open(string connectionString, PgFaceIndexOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        options ??= new PgFaceIndexOptions();
        if (!SchemaName().IsMatch(options.Schema))
        {
            throw new ArgumentException($"Schema '{options.Schema}' is not a plain lower-case identifier.", nameof(options));
        }

        if (options.EfSearch is < 1 or > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.EfSearch, "EfSearch is 1 to 1000.");
        }

        if (options.HnswM is < 2 or > 100 || options.HnswEfConstruction < 2 * options.HnswM || options.HnswEfConstruction > 1000)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"HnswM {options.HnswM}, HnswEfConstruction {options.HnswEfConstruction}: m is 2 to 100, ef_construction 2 m to 1000.");
        }

        NpgsqlConnectionStringBuilder csb = PgConnectionString.Parse(connectionString);
        if (options.ConnectTimeoutSeconds is int timeout)
        {
            csb.Timeout = timeout;
        }

        csb.Enlist = false;
        string where = $"{csb.Host ?? "(no host)"}:{csb.Port}/{csb.Database ?? csb.Username ?? "(default database)"}";
        if (string.IsNullOrEmpty(csb.Host))
        {
            throw new FaceIndexException($"PostgreSQL connection string names no Host ({where}).");
        }

        bool iterative;
        try
        {
            // Unpooled: this one connection must not leave a pool behind.
            iterative = EnsureExtension(new NpgsqlConnectionStringBuilder(csb.ConnectionString) { Pooling = false }.ConnectionString, where);
        }
        catch (Exception e) when (IsConnectionFailure(e))
        {
            throw new FaceIndexException($"Cannot connect to PostgreSQL at {where}: {Describe(e)}", e);
        }

        var builder = new NpgsqlDataSourceBuilder(csb.ConnectionString);
        builder.UseVector();
        NpgsqlDataSource source = builder.Build();
        var index = new PgFaceIndex(source, options, where, iterative);
        try
        {
            index.Initialize();
            return index;
        }
        catch (Exception e) when (IsConnectionFailure(e))
        {
            source.Dispose();
            throw new FaceIndexException($"PostgreSQL at {where}: creating or reading the face index in schema '{options.Schema}' failed: {Describe(e)}", e);
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    /// <summary>The vector extension must exist before the typed data source connects (Npgsql loads types once). Returns whether it has iterative index scans (pgvector 0.8).</summary>
    private static bool EnsureExtension(string connectionString, string where)
    {
        using var conn = new NpgsqlConnection(connectionString);
        conn.Open();
        string? version = ExtensionVersion(conn);
        if (version == null)
        {
            try
            {
                using var create = new NpgsqlCommand("CREATE EXTENSION IF NOT EXISTS vector", conn);
                create.ExecuteNonQuery();
            }
            catch (PostgresException e)
            {
                throw new FaceIndexException($"PostgreSQL at {where} has no pgvector extension and it could not be created ({e.MessageText}): install pgvector and run 'CREATE EXTENSION vector' in the database.", e);
            }

            version = ExtensionVersion(conn) ?? "0";
        }

        return Version.TryParse(version, out Version? v) && v >= new Version(0, 8);
    }

    private static string? ExtensionVersion(NpgsqlConnection conn)
    {
        using var cmd = new NpgsqlCommand("SELECT extversion FROM pg_extension WHERE extname = 'vector'", conn);
        return cmd.ExecuteScalar() as string;
    }

    private void Initialize()
    {
        using NpgsqlConnection conn = _source.OpenConnection();
        using NpgsqlTransaction tx = conn.BeginTransaction();
        Exec(conn, tx, $"""
            SELECT pg_advisory_xact_lock(hashtext('dlibmodels-face-index:{Options.Schema}'));
            CREATE SCHEMA IF NOT EXISTS {_s};
            CREATE TABLE IF NOT EXISTS {_s}.meta(key text PRIMARY KEY, value text NOT NULL);
            CREATE TABLE IF NOT EXISTS {_s}.people(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, name text NOT NULL UNIQUE,
              metadata text, added timestamptz NOT NULL DEFAULT now());
            CREATE TABLE IF NOT EXISTS {_s}.faces(id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, person_id bigint REFERENCES {_s}.people(id),
              image text NOT NULL, content_hash text NOT NULL, rect_left bigint, rect_top bigint, rect_right bigint, rect_bottom bigint,
              landmarks real[], descriptor vector({FaceIndex.Dimension}) NOT NULL, model text NOT NULL, added timestamptz NOT NULL DEFAULT now());
            CREATE INDEX IF NOT EXISTS faces_person ON {_s}.faces(person_id);
            CREATE INDEX IF NOT EXISTS faces_descriptor_hnsw ON {_s}.faces USING hnsw (descriptor vector_l2_ops)
              WITH (m = {Options.HnswM}, ef_construction = {Options.HnswEfConstruction});
            INSERT INTO {_s}.meta VALUES ('format', '{Format}') ON CONFLICT (key) DO NOTHING;
            """);
        string? format = Meta(conn, tx, "format");
        if (format != Format)
        {
            throw new FaceIndexException($"Schema '{Options.Schema}' at {_where} has face index format '{format ?? "(none)"}', this library reads '{Format}'.");
        }

        ModelId = Meta(conn, tx, "model");
        if (Options.ModelId != null)
        {
            if (ModelId == null)
            {
                SetModel(conn, tx, Options.ModelId);
                ModelId = Options.ModelId;
            }
            else if (ModelId != Options.ModelId)
            {
                throw ModelMismatch(ModelId, Options.ModelId);
            }
        }

        tx.Commit();
    }

    /// <summary>Re-reads the model id (another process may have added the first face); everything else is read live.</summary>
    public void Refresh() => Guard("refresh", () =>
    {
        using NpgsqlConnection conn = _source.OpenConnection();
        ModelId = Meta(conn, null, "model");
        return 0;
    });

    /// <inheritdoc/>
    public long AddPerson(string name, string? metadata = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return Guard("add person", () =>
        {
            using NpgsqlCommand cmd = _source.CreateCommand($"INSERT INTO {_s}.people(name, metadata) VALUES($1, $2) RETURNING id");
            cmd.Parameters.Add(new NpgsqlParameter { Value = name });
            cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)metadata ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
            return (long)cmd.ExecuteScalar()!;
        });
    }

    /// <inheritdoc/>
    public Person? FindPerson(string name) => ReadPeople("WHERE p.name = $1", name).FirstOrDefault();

    /// <inheritdoc/>
    public long GetOrAddPerson(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return Guard("get or add person", () =>
        {
            // One statement, so two processes adding the same name get the same person.
            using NpgsqlCommand cmd = _source.CreateCommand($"""
                WITH ins AS (INSERT INTO {_s}.people(name) VALUES($1) ON CONFLICT (name) DO NOTHING RETURNING id)
                SELECT id FROM ins UNION ALL SELECT id FROM {_s}.people WHERE name = $1 LIMIT 1
                """);
            cmd.Parameters.Add(new NpgsqlParameter { Value = name });
            object? id = cmd.ExecuteScalar();
            return id is long l ? l : FindPerson(name)?.Id ?? throw new FaceIndexException($"Person '{name}' was removed while being added.");
        });
    }

    /// <inheritdoc/>
    public IReadOnlyList<Person> People() => ReadPeople("", null);

    private List<Person> ReadPeople(string where, string? name) => Guard("read people", () =>
    {
        using NpgsqlCommand cmd = _source.CreateCommand($"""
            SELECT p.id, p.name, p.metadata, (SELECT count(*) FROM {_s}.faces f WHERE f.person_id = p.id)::int
            FROM {_s}.people p {where} ORDER BY p.name COLLATE "C"
            """);
        if (name != null)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = name });
        }

        using NpgsqlDataReader r = cmd.ExecuteReader();
        var list = new List<Person>();
        while (r.Read())
        {
            list.Add(new Person(r.GetInt64(0), r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), r.GetInt32(3)));
        }

        return list;
    });

    /// <inheritdoc/>
    public void RenamePerson(long personId, string newName)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(newName);
        Guard("rename person", () =>
        {
            using NpgsqlCommand cmd = _source.CreateCommand($"UPDATE {_s}.people SET name = $1 WHERE id = $2");
            cmd.Parameters.Add(new NpgsqlParameter { Value = newName });
            cmd.Parameters.Add(new NpgsqlParameter { Value = personId });
            RequireOne(cmd.ExecuteNonQuery(), "person", personId);
            return 0;
        });
    }

    /// <inheritdoc/>
    public void SetPersonMetadata(long personId, string? metadata) => Guard("set person metadata", () =>
    {
        using NpgsqlCommand cmd = _source.CreateCommand($"UPDATE {_s}.people SET metadata = $1 WHERE id = $2");
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)metadata ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new NpgsqlParameter { Value = personId });
        RequireOne(cmd.ExecuteNonQuery(), "person", personId);
        return 0;
    });

    /// <inheritdoc/>
    public void RemovePerson(long personId, bool removeFaces = false) => InTransaction("remove person", (conn, tx) =>
    {
        Exec(conn, tx, removeFaces ? $"DELETE FROM {_s}.faces WHERE person_id = $1" : $"UPDATE {_s}.faces SET person_id = NULL WHERE person_id = $1", personId);
        RequireOne(Exec(conn, tx, $"DELETE FROM {_s}.people WHERE id = $1", personId), "person", personId);
        return 0;
    });

    /// <inheritdoc/>
    public void MergePeople(long fromId, long intoId)
    {
        if (fromId == intoId)
        {
            return;
        }

        InTransaction("merge people", (conn, tx) =>
        {
            using (var check = new NpgsqlCommand($"SELECT id FROM {_s}.people WHERE id = $1 FOR UPDATE", conn, tx))
            {
                check.Parameters.Add(new NpgsqlParameter { Value = intoId });
                if (check.ExecuteScalar() is not long)
                {
                    throw new ArgumentException($"There is no person {intoId}.", nameof(intoId));
                }
            }

            Exec(conn, tx, $"UPDATE {_s}.faces SET person_id = $1 WHERE person_id = $2", intoId, fromId);
            RequireOne(Exec(conn, tx, $"DELETE FROM {_s}.people WHERE id = $1", fromId), "person", fromId);
            return 0;
        });
    }

    /// <inheritdoc/>
    public long AddFace(NewFace face) => AddFaces([face])[0];

    /// <inheritdoc/>
    public IReadOnlyList<long> AddFaces(IEnumerable<NewFace> faces)
    {
        ArgumentNullException.ThrowIfNull(faces);
        List<NewFace> list = [.. faces];
        foreach (NewFace f in list)
        {
            if (f.Descriptor.Length != FaceIndex.Dimension)
            {
                throw new ArgumentException($"A descriptor has {FaceIndex.Dimension} values, this one {f.Descriptor.Length}.", nameof(faces));
            }

            if (f.ModelId != list[0].ModelId)
            {
                throw new FaceIndexException($"A batch mixes descriptors of models '{list[0].ModelId}' and '{f.ModelId}' (distances between models mean nothing); nothing was added.");
            }
        }

        if (list.Count == 0)
        {
            return [];
        }

        List<long> added = InTransaction("add faces", (conn, tx) =>
        {
            // The model check and the first face's model are under one lock, so two processes cannot start an index with two models.
            Exec(conn, tx, $"SELECT pg_advisory_xact_lock(hashtext('dlibmodels-face-index-model:{Options.Schema}'))");
            string? model = Meta(conn, tx, "model");
            if (model == null)
            {
                SetModel(conn, tx, list[0].ModelId);
            }
            else if (model != list[0].ModelId)
            {
                throw ModelMismatch(model, list[0].ModelId);
            }

            var ids = new List<long>(list.Count);
            const int chunk = 500;
            for (int start = 0; start < list.Count; start += chunk)
            {
                using var batch = new NpgsqlBatch(conn, tx);
                foreach (NewFace f in list.Skip(start).Take(chunk))
                {
                    var c = new NpgsqlBatchCommand($"""
                        INSERT INTO {_s}.faces(person_id, image, content_hash, rect_left, rect_top, rect_right, rect_bottom, landmarks, descriptor, model)
                        VALUES($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id
                        """);
                    c.Parameters.Add(new NpgsqlParameter { Value = (object?)f.PersonId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
                    c.Parameters.Add(new NpgsqlParameter { Value = f.SourceImage });
                    c.Parameters.Add(new NpgsqlParameter { Value = f.ContentHash });
                    c.Parameters.Add(new NpgsqlParameter { Value = (object?)f.Rect?.Left ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
                    c.Parameters.Add(new NpgsqlParameter { Value = (object?)f.Rect?.Top ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
                    c.Parameters.Add(new NpgsqlParameter { Value = (object?)f.Rect?.Right ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
                    c.Parameters.Add(new NpgsqlParameter { Value = (object?)f.Rect?.Bottom ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
                    c.Parameters.Add(new NpgsqlParameter { Value = (object?)f.Landmarks ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Real });
                    c.Parameters.Add(new NpgsqlParameter { Value = new Vector(f.Descriptor) });
                    c.Parameters.Add(new NpgsqlParameter { Value = f.ModelId });
                    batch.BatchCommands.Add(c);
                }

                using NpgsqlDataReader r = batch.ExecuteReader();
                do
                {
                    while (r.Read())
                    {
                        ids.Add(r.GetInt64(0));
                    }
                }
                while (r.NextResult());
            }

            return ids;
        });
        ModelId = list[0].ModelId; // committed
        return added;
    }

    /// <inheritdoc/>
    public bool RemoveFace(long faceId) => Guard("remove face", () =>
    {
        using NpgsqlCommand cmd = _source.CreateCommand($"DELETE FROM {_s}.faces WHERE id = $1");
        cmd.Parameters.Add(new NpgsqlParameter { Value = faceId });
        return cmd.ExecuteNonQuery() == 1;
    });

    /// <inheritdoc/>
    public void ReassignFace(long faceId, long? personId) => Guard("reassign face", () =>
    {
        using NpgsqlCommand cmd = _source.CreateCommand($"UPDATE {_s}.faces SET person_id = $1 WHERE id = $2");
        cmd.Parameters.Add(new NpgsqlParameter { Value = (object?)personId ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Bigint });
        cmd.Parameters.Add(new NpgsqlParameter { Value = faceId });
        RequireOne(cmd.ExecuteNonQuery(), "face", faceId);
        return 0;
    });

    /// <inheritdoc/>
    public IReadOnlyList<FaceEntry> Faces(long? personId = null) =>
        ReadFaces(personId == null ? "ORDER BY id" : "WHERE person_id = $1 ORDER BY id", personId);

    /// <inheritdoc/>
    public FaceEntry? GetFace(long faceId) => ReadFaces("WHERE id = $1", faceId).FirstOrDefault();

    private List<FaceEntry> ReadFaces(string tail, long? arg) => Guard("read faces", () =>
    {
        using NpgsqlCommand cmd = _source.CreateCommand($"SELECT {FaceColumns} FROM {_s}.faces {tail}");
        if (arg != null)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = arg.Value });
        }

        using NpgsqlDataReader r = cmd.ExecuteReader();
        var list = new List<FaceEntry>();
        while (r.Read())
        {
            FaceRect? rect = r.IsDBNull(4) ? null : new FaceRect(r.GetInt64(4), r.GetInt64(5), r.GetInt64(6), r.GetInt64(7));
            float[]? lm = r.IsDBNull(8) ? null : r.GetFieldValue<float[]>(8);
            float[] d = r.GetFieldValue<Vector>(9).ToArray();
            list.Add(new FaceEntry(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.GetString(2), r.GetString(3), rect, lm, d, r.GetString(10),
                DateTime.SpecifyKind(r.GetDateTime(11), DateTimeKind.Utc)));
        }

        return list;
    });

    /// <inheritdoc/>
    public IReadOnlyList<FaceMatch> Search(float[] descriptor, int k = 5, double maxDistance = double.PositiveInfinity)
    {
        CheckQuery(descriptor);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        return k == 0 ? [] : Nearest(descriptor, k, maxDistance, labeledOnly: false);
    }

    /// <inheritdoc/>
    public FaceMatch? Identify(float[] descriptor, double tolerance = FaceIndex.DefaultTolerance)
    {
        CheckQuery(descriptor);
        return Nearest(descriptor, 1, tolerance, labeledOnly: true).FirstOrDefault();
    }

    /// <summary>
    /// The k nearest (labelled) faces: the HNSW index ordered by <c>&lt;-&gt;</c> (sequential scans off, so the
    /// planner cannot choose otherwise), or with <see cref="PgFaceIndexOptions.Exact"/> index scans off (a sequential
    /// scan computes every distance). The distance limit is applied to the k found (the k nearest within it).
    /// </summary>
    private List<FaceMatch> Nearest(float[] descriptor, int k, double maxDistance, bool labeledOnly)
    {
        (string settings, string sql) = SearchSql(labeledOnly);
        return InTransaction("search", (conn, tx) =>
        {
            Exec(conn, tx, settings);
            using var cmd = new NpgsqlCommand(sql, conn, tx);
            cmd.Parameters.Add(new NpgsqlParameter { Value = new Vector(descriptor) });
            cmd.Parameters.Add(new NpgsqlParameter { Value = (long)k });
            using NpgsqlDataReader r = cmd.ExecuteReader();
            var list = new List<FaceMatch>(k);
            while (r.Read())
            {
                double d = r.GetDouble(3);
                if (d <= maxDistance)
                {
                    list.Add(new FaceMatch(r.GetInt64(0), r.IsDBNull(1) ? null : r.GetInt64(1), r.IsDBNull(2) ? null : r.GetString(2), d, r.GetString(4)));
                }
            }

            return list;
        });
    }

    private (string Settings, string Sql) SearchSql(bool labeledOnly)
    {
        // Without iterative scans (pgvector before 0.8) an HNSW scan filtered on person_id can come back short: exact then.
        bool exact = Options.Exact || (labeledOnly && !_iterativeScan);
        string settings = exact
            ? "SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off"
            : $"SET LOCAL enable_seqscan = off; SET LOCAL hnsw.ef_search = {Options.EfSearch}" + (labeledOnly ? "; SET LOCAL hnsw.iterative_scan = strict_order" : "");
        string sql = $"""
            SELECT f.id, f.person_id, p.name, f.d, f.image FROM
              (SELECT id, person_id, image, descriptor <-> $1 AS d FROM {_s}.faces {(labeledOnly ? "WHERE person_id IS NOT NULL" : "")}
               ORDER BY descriptor <-> $1 LIMIT $2) f
            LEFT JOIN {_s}.people p ON p.id = f.person_id
            ORDER BY f.d, f.id
            """;
        return (settings, sql);
    }

    /// <summary>The server's plan for <see cref="Search"/> (tests check which scan it uses).</summary>
    internal string ExplainSearch(float[] descriptor, int k, bool labeledOnly = false)
    {
        (string settings, string sql) = SearchSql(labeledOnly);
        return InTransaction("explain", (conn, tx) =>
        {
            Exec(conn, tx, settings);
            using var cmd = new NpgsqlCommand("EXPLAIN " + sql, conn, tx);
            cmd.Parameters.Add(new NpgsqlParameter { Value = new Vector(descriptor) });
            cmd.Parameters.Add(new NpgsqlParameter { Value = (long)k });
            using NpgsqlDataReader r = cmd.ExecuteReader();
            var lines = new List<string>();
            while (r.Read())
            {
                lines.Add(r.GetString(0));
            }

            return string.Join('\n', lines);
        });
    }

    /// <inheritdoc/>
    public (double Distance, bool SamePerson) Verify(long faceA, long faceB, double tolerance = FaceIndex.DefaultTolerance)
    {
        double? d = Guard("verify", () =>
        {
            using NpgsqlCommand cmd = _source.CreateCommand($"""
                SELECT (SELECT count(*) FROM {_s}.faces WHERE id = $1), (SELECT count(*) FROM {_s}.faces WHERE id = $2),
                  (SELECT a.descriptor <-> b.descriptor FROM {_s}.faces a, {_s}.faces b WHERE a.id = $1 AND b.id = $2)
                """);
            cmd.Parameters.Add(new NpgsqlParameter { Value = faceA });
            cmd.Parameters.Add(new NpgsqlParameter { Value = faceB });
            using NpgsqlDataReader r = cmd.ExecuteReader();
            r.Read();
            if (r.GetInt64(0) == 0)
            {
                throw new ArgumentException($"There is no face {faceA}.", nameof(faceA));
            }

            if (r.GetInt64(1) == 0)
            {
                throw new ArgumentException($"There is no face {faceB}.", nameof(faceB));
            }

            return r.IsDBNull(2) ? (double?)null : r.GetDouble(2);
        });
        double dist = d ?? throw new FaceIndexException($"Verify: faces {faceA} and {faceB} vanished while being read.");
        return (dist, dist <= tolerance);
    }

    /// <summary>Counts. <see cref="IndexStats.MatrixBytes"/> is the size of the HNSW index on the server (there is no matrix in this process).</summary>
    public IndexStats Stats() => Guard("stats", () =>
    {
        using NpgsqlCommand cmd = _source.CreateCommand($"""
            SELECT (SELECT count(*) FROM {_s}.people)::int, (SELECT count(*) FROM {_s}.faces)::int,
              (SELECT count(*) FROM {_s}.faces WHERE person_id IS NULL)::int,
              (SELECT value FROM {_s}.meta WHERE key = 'model'), pg_relation_size('{Options.Schema}.faces_descriptor_hnsw')
            """);
        using NpgsqlDataReader r = cmd.ExecuteReader();
        r.Read();
        ModelId = r.IsDBNull(3) ? null : r.GetString(3);
        return new IndexStats(r.GetInt32(0), r.GetInt32(1), r.GetInt32(2), ModelId, r.GetInt64(4));
    });

    /// <summary>Drops the index's schema with every table in it (what tests and benchmarks clean up with).</summary>
    public void Drop() => Guard("drop", () =>
    {
        using NpgsqlCommand cmd = _source.CreateCommand($"DROP SCHEMA IF EXISTS {_s} CASCADE");
        cmd.ExecuteNonQuery();
        return 0;
    });

    /// <inheritdoc/>
    public void Dispose() => _source.Dispose();

    /// <summary>The data source (for the benchmark's bulk import).</summary>
    internal NpgsqlDataSource DataSource => _source;

    private static void CheckQuery(float[] descriptor)
    {
        ArgumentNullException.ThrowIfNull(descriptor);
        if (descriptor.Length != FaceIndex.Dimension)
        {
            throw new ArgumentException($"A descriptor has {FaceIndex.Dimension} values, this one {descriptor.Length}.", nameof(descriptor));
        }
    }

    private FaceIndexException ModelMismatch(string indexModel, string model) =>
        new($"The face index in schema '{Options.Schema}' at {_where} holds descriptors of model '{indexModel}', not '{model}': descriptors of different models cannot be compared.");

    private void SetModel(NpgsqlConnection conn, NpgsqlTransaction tx, string model)
    {
        Exec(conn, tx, $"INSERT INTO {_s}.meta VALUES('model', $1) ON CONFLICT (key) DO NOTHING", model);
    }

    private string? Meta(NpgsqlConnection conn, NpgsqlTransaction? tx, string key)
    {
        using var cmd = new NpgsqlCommand($"SELECT value FROM {_s}.meta WHERE key = $1", conn, tx);
        cmd.Parameters.Add(new NpgsqlParameter { Value = key });
        return cmd.ExecuteScalar() as string;
    }

    private static int Exec(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, params object[] args)
    {
        using var cmd = new NpgsqlCommand(sql, conn, tx);
        foreach (object a in args)
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = a });
        }

        return cmd.ExecuteNonQuery();
    }

    private static void RequireOne(int rows, string what, long id)
    {
        if (rows != 1)
        {
            throw new ArgumentException($"There is no {what} {id}.");
        }
    }

    private T InTransaction<T>(string what, Func<NpgsqlConnection, NpgsqlTransaction, T> body) => Guard(what, () =>
    {
        using NpgsqlConnection conn = _source.OpenConnection();
        using NpgsqlTransaction tx = conn.BeginTransaction();
        T result = body(conn, tx);
        tx.Commit();
        return result;
    });

    /// <summary>Every database failure becomes a <see cref="FaceIndexException"/> naming the server and the operation.</summary>
    private T Guard<T>(string what, Func<T> body)
    {
        try
        {
            return body();
        }
        catch (Exception e) when (IsConnectionFailure(e))
        {
            throw new FaceIndexException($"PostgreSQL at {_where}: {what} failed: {Describe(e)}", e);
        }
    }

    private static bool IsConnectionFailure(Exception e) => e is NpgsqlException or SocketException or TimeoutException or InvalidOperationException { Source: "Npgsql" };

    private static string Describe(Exception e) => e switch
    {
        PostgresException pg => $"{pg.MessageText} (SQLSTATE {pg.SqlState})",
        _ when e.InnerException is SocketException s => $"{e.Message} ({s.Message})",
        _ => e.Message,
    };
}
