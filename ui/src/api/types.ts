/** Names for the API's schemas, as the UI uses them. */
import type { components } from './schema';

type Schemas = components['schemas'];
export type Run = Schemas['Run'];
export type RunStatus = Run['status'];
export type RunDetail = Schemas['RunDetail'];
export type Task = Schemas['Task'];
export type Attempt = Schemas['Attempt'];
export type Metric = Schemas['Metric'];
export type LogLine = Schemas['LogLine'];
export type Pipeline = Schemas['Pipeline'];
export type Repo = Schemas['Repo'];
export type Branch = Schemas['Branch'];
export type Commit = Schemas['Commit'];
export type ListEntry = Schemas['ListEntry'];
export type FileEntry = Schemas['FileEntry'];
export type Datum = Schemas['Datum'];
export type ModelVersion = Schemas['ModelVersion'];
export type ModelSummary = Schemas['ModelSummary'];
export type Lineage = Schemas['Lineage'];
export type Topic = Schemas['Topic'];
export type TopicGroup = Schemas['TopicGroup'];
export type TopicMessage = Schemas['TopicMessage'];
