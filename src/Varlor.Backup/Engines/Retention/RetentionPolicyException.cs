using Varlor.Backup.Repository;

namespace Varlor.Backup.Engines.Retention;

/// <summary>A retention policy that cannot be applied (empty, negative counts, malformed duration): nothing is removed.</summary>
public sealed class RetentionPolicyException(string message) : VarlorException(message);
