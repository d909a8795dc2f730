namespace Varlor.Docs.Tests;

[CollectionDefinition("docs hosts")]
public sealed class DocsHostsCollection;
