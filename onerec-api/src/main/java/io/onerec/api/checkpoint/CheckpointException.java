package io.onerec.api.checkpoint;

/** A checkpoint is missing, truncated, corrupt, or does not match the model it is loaded into. */
public class CheckpointException extends RuntimeException {
    public CheckpointException(String message) {
        super(message);
    }

    public CheckpointException(String message, Throwable cause) {
        super(message, cause);
    }
}
