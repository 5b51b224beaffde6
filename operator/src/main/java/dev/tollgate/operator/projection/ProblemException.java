package dev.tollgate.operator.projection;

/** Carries a {@link Problem}: the object is reported not ready and nothing is written. */
public final class ProblemException extends RuntimeException {

  private final Problem problem;

  public ProblemException(Problem problem) {
    super(problem.reason() + ": " + problem.message(), null, false, false);
    this.problem = problem;
  }

  public Problem problem() {
    return problem;
  }
}
