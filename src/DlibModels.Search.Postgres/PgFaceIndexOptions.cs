namespace DlibModels.Search.Postgres;

/// <summary>How a <see cref="PgFaceIndex"/> stores and searches faces.</summary>
public sealed record PgFaceIndexOptions
{
    /// <summary>
    /// The default <see cref="EfSearch"/>: the HNSW candidate list length. With the default build parameters
    /// (m 32, ef_construction 200) it measured recall@5 1.0 on 100,000 synthetic faces (pgvector's own default, 40:
    /// 0.994); with pgvector's build defaults (m 16, ef_construction 64) 0.995 at 100,000 faces but only 0.89 at
    /// 1,000,000 (bench/RESULTS.md).
    /// </summary>
    public const int DefaultEfSearch = 200;

    /// <summary>
    /// The schema the tables (meta, people, faces) live in; created if absent. One schema is one index, so one
    /// database can hold several. Lower-case letters, digits and underscores.
    /// </summary>
    public string Schema { get; init; } = "dlibmodels";

    /// <summary>
    /// Exact search: a sequential scan over every descriptor (the HNSW index is not used), so results equal brute
    /// force. Off: the HNSW index answers (approximate, much faster on large indexes).
    /// </summary>
    public bool Exact { get; init; }

    /// <summary>pgvector's <c>hnsw.ef_search</c> for every search (1 to 1000); higher is slower and more exact.</summary>
    public int EfSearch { get; init; } = DefaultEfSearch;

    /// <summary>
    /// HNSW <c>m</c> (links per node, 2 to 100) when the index is created (later opens do not change it). 32, not
    /// pgvector's 16: clustered face descriptors need the extra links for recall (bench/RESULTS.md).
    /// </summary>
    public int HnswM { get; init; } = 32;

    /// <summary>
    /// HNSW <c>ef_construction</c> (at least 2 m, at most 1000) when the index is created. 200, not pgvector's 64:
    /// builds (and adds) about 7 times slower, finds far more (bench/RESULTS.md).
    /// </summary>
    public int HnswEfConstruction { get; init; } = 200;

    /// <summary>The model every descriptor must come from, or null to take it from the index (or the first face).</summary>
    public string? ModelId { get; init; }

    /// <summary>Seconds to wait for a connection before failing (Npgsql's Timeout), or null for the connection string's (default 15).</summary>
    public int? ConnectTimeoutSeconds { get; init; }
}
