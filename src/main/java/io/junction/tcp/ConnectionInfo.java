package io.junction.tcp;

import io.junction.message.CborSerializable;
import java.time.Instant;

/** A live connection as the API shows it. */
public record ConnectionInfo(
    String id,
    String endpoint,
    String peer,
    Instant since,
    long bytesIn,
    long bytesOut,
    long framesIn,
    long framesOut)
    implements CborSerializable {}
