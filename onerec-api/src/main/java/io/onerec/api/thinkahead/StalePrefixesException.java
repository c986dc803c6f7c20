package io.onerec.api.thinkahead;

/**
 * Think-Ahead prefixes computed for one codec met another: they would be served (or mixed with new ones) silently
 * although their codes now mean different items. Rerun {@link ThinkAheadJob} into a new store for the new codec.
 */
public final class StalePrefixesException extends IllegalStateException {
    public StalePrefixesException(String message) {
        super(message);
    }
}
