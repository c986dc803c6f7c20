package io.onerec.libtorch.baseline;

import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.api.checkpoint.JsonConfig;
import io.onerec.tools.data.UserFolds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * The fold of users a SASRec was trained without (cross-fitting): it sees that fold's users as new ones, so its
 * distribution over their training histories has not learned their next items. A teacher made of one such model per
 * fold ({@link SasRecPrior#crossFitted}) gives the generator targets that generalise, as the transition table's
 * leave-one-out targets do, instead of a SASRec's recall of pairs it was trained on. Saved beside the checkpoint as
 * {@value #FILE}.
 *
 * @param fold  the fold left out, in [0, folds.count())
 * @param folds how users were split
 */
public record HeldOutFold(int fold, UserFolds folds) {
    public static final String FILE = "held_out_fold.json";

    public HeldOutFold {
        if (folds == null) throw new IllegalArgumentException("folds must not be null");
        folds.checkFold(fold);
    }

    /** Whether the model trains on {@code user}: every user outside the held-out fold. */
    public boolean trainsOn(long user) {
        return folds.of(user) != fold;
    }

    public void write(Path dir) {
        String json = JsonConfig.builder().put("fold", fold).put("folds", folds.count()).put("seed", folds.seed()).build().toJson();
        try {
            Files.createDirectories(dir);
            Files.writeString(dir.resolve(FILE), json, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + dir.resolve(FILE), e);
        }
    }

    /** The fold a checkpoint directory's model was trained without, or empty for a model trained on every user. */
    public static Optional<HeldOutFold> read(Path dir) {
        Path file = dir.resolve(FILE);
        if (!Files.exists(file)) return Optional.empty();
        try {
            JsonConfig c = JsonConfig.parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
            return Optional.of(new HeldOutFold(c.getInt("fold"), new UserFolds(c.getInt("folds"), c.getLong("seed"))));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        } catch (IllegalArgumentException e) {
            throw new CheckpointException("invalid " + file + ": " + e.getMessage(), e);
        }
    }
}
