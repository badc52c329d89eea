/** Names for the pipeline section's API schemas. */
import type { components } from '../../api/schema';

type Schemas = components['schemas'];
export type PipelineListItem = Schemas['PipelineListItem'];
export type PipelineDetail = Schemas['PipelineDetail'];
export type PipelineDefinition = Schemas['PipelineDefinition'];
export type PipelineParam = Schemas['PipelineParam'];
export type PipelineStep = Schemas['PipelineStep'];
export type PipelineDataInput = Schemas['PipelineDataInput'];
export type PipelineTrigger = Schemas['PipelineTrigger'];
export type RecentRun = Schemas['RecentRun'];
