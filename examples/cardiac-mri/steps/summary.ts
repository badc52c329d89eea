/**
 * `cardiac-mri` summary: datapoints made and everything skipped, across patients — and the
 * defects no patient datum sees: link rows naming a patient folder that does not exist, and
 * malformed rows of the link file (reported once).
 */
import type { StepContext } from 'sluice';
import type { PatientReport, Skipped } from './load_patient.js';

export default async function summary(ctx: StepContext<{ report: PatientReport[] }>) {
  const reports = ctx.inputs.report;
  const skipped: Skipped[] = reports.flatMap((report) => report.skipped);
  const patients = new Set(reports.map((report) => report.patient_id));
  const seen = new Set<string>();
  for (const report of reports) {
    for (const defect of report.link_defects) {
      const key = `${defect.file}\0${defect.reason}`;
      if (!seen.has(key)) skipped.push(defect);
      seen.add(key);
    }
  }
  for (const row of reports[0]?.links ?? [])
    if (!patients.has(row.patientId))
      skipped.push({
        file: `link.csv:${row.line}`,
        reason: `names patient folder dicoms/${row.patientId}, which does not exist`,
      });
  for (const item of skipped.slice(reports.flatMap((report) => report.skipped).length))
    ctx.log.warn(`skipped ${item.file}: ${item.reason}`);
  const datapoints = reports.reduce((sum, report) => sum + report.datapoints, 0);
  ctx.metric('datapoints', datapoints);
  ctx.metric('skipped', skipped.length);
  return {
    summary: {
      patients: reports.length,
      slices: reports.reduce((sum, report) => sum + report.slices, 0),
      contours: reports.reduce((sum, report) => sum + report.contours, 0),
      datapoints,
      skipped,
    },
  };
}
