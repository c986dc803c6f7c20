package io.onerec.libtorch.baseline;

import io.onerec.api.checkpoint.CheckpointException;
import io.onerec.tools.data.UserFolds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeldOutFoldTest {
    @Test
    void roundTripsBesideTheCheckpoint(@TempDir Path dir) throws Exception {
        assertEquals(Optional.empty(), HeldOutFold.read(dir), "a model trained on every user has no fold file");
        HeldOutFold fold = new HeldOutFold(1, new UserFolds(3, 5));
        fold.write(dir);
        assertEquals(Optional.of(fold), HeldOutFold.read(dir));
        for (long u = 0; u < 100; u++) assertEquals(fold.folds().of(u) != 1, fold.trainsOn(u));

        Files.writeString(dir.resolve(HeldOutFold.FILE), "{\"fold\": 3, \"folds\": 3, \"seed\": 5}");
        CheckpointException e = assertThrows(CheckpointException.class, () -> HeldOutFold.read(dir));
        assertTrue(e.getMessage().contains("fold 3 outside"), e.getMessage());
        Files.writeString(dir.resolve(HeldOutFold.FILE), "{\"fold\": 0");
        assertThrows(CheckpointException.class, () -> HeldOutFold.read(dir));
        assertFalse(new HeldOutFold(0, new UserFolds(2, 0)).equals(new HeldOutFold(0, new UserFolds(2, 1))));
    }
}
