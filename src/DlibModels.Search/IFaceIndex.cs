namespace DlibModels.Search;

/// <summary>
/// A face index: people, their faces (descriptors of one model) and nearest-neighbour search over them.
/// <see cref="FaceIndex"/> keeps them in a SQLite file with exact in-memory search; other implementations
/// (the PostgreSQL + pgvector one in DlibModels.Search.Postgres) keep them in a database server.
/// </summary>
public interface IFaceIndex : IDisposable
{
    /// <summary>The model id every descriptor comes from, or null before the first face.</summary>
    string? ModelId { get; }

    /// <summary>Adds a person and returns the id.</summary>
    /// <param name="name">Unique name.</param>
    /// <param name="metadata">Free text stored with the person, or null.</param>
    long AddPerson(string name, string? metadata = null);

    /// <summary>The person with this name, or null.</summary>
    Person? FindPerson(string name);

    /// <summary>The id of the person with this name, added if absent.</summary>
    long GetOrAddPerson(string name);

    /// <summary>Every person, by name.</summary>
    IReadOnlyList<Person> People();

    /// <summary>Renames a person.</summary>
    /// <exception cref="ArgumentException">There is no such person.</exception>
    void RenamePerson(long personId, string newName);

    /// <summary>Sets a person's metadata (null clears it).</summary>
    /// <exception cref="ArgumentException">There is no such person.</exception>
    void SetPersonMetadata(long personId, string? metadata);

    /// <summary>Removes a person; their faces are removed too, or kept unassigned.</summary>
    /// <exception cref="ArgumentException">There is no such person.</exception>
    void RemovePerson(long personId, bool removeFaces = false);

    /// <summary>Moves every face of <paramref name="fromId"/> to <paramref name="intoId"/> and removes <paramref name="fromId"/>.</summary>
    /// <exception cref="ArgumentException">Either person does not exist.</exception>
    void MergePeople(long fromId, long intoId);

    /// <summary>Adds one face in one transaction and returns its id.</summary>
    long AddFace(NewFace face);

    /// <summary>Adds faces in one transaction (all or none) and returns their ids, in order.</summary>
    /// <exception cref="FaceIndexException">A descriptor comes from another model than the index's, or the store refused a face (then none is added).</exception>
    IReadOnlyList<long> AddFaces(IEnumerable<NewFace> faces);

    /// <summary>Removes a face. Returns whether it existed.</summary>
    bool RemoveFace(long faceId);

    /// <summary>Assigns a face to a person (or to none).</summary>
    /// <exception cref="ArgumentException">There is no such face.</exception>
    void ReassignFace(long faceId, long? personId);

    /// <summary>Faces, of one person or all, by id.</summary>
    IReadOnlyList<FaceEntry> Faces(long? personId = null);

    /// <summary>One face, or null.</summary>
    FaceEntry? GetFace(long faceId);

    /// <summary>The <paramref name="k"/> faces nearest to a descriptor within <paramref name="maxDistance"/>, nearest first.</summary>
    IReadOnlyList<FaceMatch> Search(float[] descriptor, int k = 5, double maxDistance = double.PositiveInfinity);

    /// <summary>The person whose nearest face is nearest to the descriptor, if within <paramref name="tolerance"/>; else null.</summary>
    FaceMatch? Identify(float[] descriptor, double tolerance = FaceIndex.DefaultTolerance);

    /// <summary>The distance between two stored faces and whether it is within <paramref name="tolerance"/>.</summary>
    /// <exception cref="ArgumentException">Either face does not exist.</exception>
    (double Distance, bool SamePerson) Verify(long faceA, long faceB, double tolerance = FaceIndex.DefaultTolerance);

    /// <summary>Counts.</summary>
    IndexStats Stats();

    /// <summary>Picks up changes other connections or processes committed.</summary>
    void Refresh();
}
