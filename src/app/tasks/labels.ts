import type { TaskPriority, TaskStatus } from '../../shared/collections';

/** Words a person reads for each stored value. */
export const STATUS_LABELS: Record<TaskStatus, string> = { todo: 'To do', doing: 'In progress', done: 'Done' };
export const PRIORITY_LABELS: Record<TaskPriority, string> = { none: 'No priority', low: 'Low', medium: 'Medium', high: 'High' };
