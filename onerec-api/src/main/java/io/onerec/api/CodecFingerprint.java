package io.onerec.api;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Builds a {@link SemanticIdCodec#fingerprint()}: a SHA-256 over a scheme name and the numbers that define the code
 * space, written as {@code scheme:hex} so two schemes never collide and a reader sees which one made it.
 */
public final class CodecFingerprint {
    private final String scheme;
    private final MessageDigest digest;
    private final ByteBuffer buf = ByteBuffer.allocate(8);

    public CodecFingerprint(String scheme) {
        if (scheme.isBlank() || scheme.contains(":")) throw new IllegalArgumentException("bad fingerprint scheme '" + scheme + "'");
        this.scheme = scheme;
        try {
            this.digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is a required JDK algorithm", e);
        }
        digest.update(scheme.getBytes(StandardCharsets.UTF_8));
    }

    public CodecFingerprint add(int value) {
        digest.update(buf.clear().putInt(value).array(), 0, 4);
        return this;
    }

    /** The UTF-8 length, then the bytes. */
    public CodecFingerprint add(String value) {
        byte[] b = value.getBytes(StandardCharsets.UTF_8);
        add(b.length);
        digest.update(b);
        return this;
    }

    /** The length, then the values: [1, 2] and [1], [2] hash differently. */
    public CodecFingerprint add(int[] values) {
        add(values.length);
        for (int v : values) add(v);
        return this;
    }

    /** The length, then each value's exact bits. */
    public CodecFingerprint add(float[] values) {
        add(values.length);
        for (float v : values) add(Float.floatToRawIntBits(v));
        return this;
    }

    /** {@code scheme:} and the hex SHA-256; the builder is spent afterwards. */
    public String digest() {
        return scheme + ":" + HexFormat.of().formatHex(digest.digest());
    }
}
