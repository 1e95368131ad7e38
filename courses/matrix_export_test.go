package courses

// MatrixStatusSQL exposes the SQL form of AssignmentStatus to the black-box tests, which check
// that the two agree.
const MatrixStatusSQL = matrixStatusSQL

// TrainingStatusSQL is the same for TrainingStatus.
const TrainingStatusSQL = trainingStatusSQL
