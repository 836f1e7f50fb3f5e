//! What the generated [`TaskState`](crate::v1::TaskState) cannot know from
//! the schema alone: which states end a task. Every scheduler needs this to
//! decide when to stop waiting for a task, and getting the list slightly
//! wrong (counting TASK_UNREACHABLE, forgetting TASK_GONE_BY_OPERATOR) is an
//! easy mistake.

use crate::v1::TaskState;

impl TaskState {
    /// Whether no further update will follow for a task in this state, by
    /// Mesos's own definition (`protobuf::isTerminalState`): FINISHED,
    /// FAILED, KILLED, LOST, ERROR, DROPPED, GONE and GONE_BY_OPERATOR.
    ///
    /// TASK_UNREACHABLE and TASK_UNKNOWN are not terminal (the task may come
    /// back), nor is a state this schema does not know.
    pub fn is_terminal(self) -> bool {
        matches!(
            self,
            TaskState::TASK_FINISHED
                | TaskState::TASK_FAILED
                | TaskState::TASK_KILLED
                | TaskState::TASK_LOST
                | TaskState::TASK_ERROR
                | TaskState::TASK_DROPPED
                | TaskState::TASK_GONE
                | TaskState::TASK_GONE_BY_OPERATOR
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exactly_the_masters_terminal_states() {
        let terminal: Vec<&str> = TaskState::VALUES
            .iter()
            .filter(|s| s.is_terminal())
            .filter_map(|s| s.name())
            .collect();
        assert_eq!(
            terminal,
            [
                "TASK_FINISHED",
                "TASK_FAILED",
                "TASK_KILLED",
                "TASK_ERROR",
                "TASK_LOST",
                "TASK_DROPPED",
                "TASK_GONE",
                "TASK_GONE_BY_OPERATOR",
            ]
        );
    }

    #[test]
    fn states_that_may_change_again_are_not_terminal() {
        for state in [
            TaskState::TASK_STAGING,
            TaskState::TASK_STARTING,
            TaskState::TASK_RUNNING,
            TaskState::TASK_KILLING,
            TaskState::TASK_UNREACHABLE,
            TaskState::TASK_UNKNOWN,
            TaskState(99),
            TaskState(-1),
        ] {
            assert!(!state.is_terminal(), "{state:?}");
        }
    }
}
