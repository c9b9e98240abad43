import { TaskStatus, type TaskStatusCode } from '@postmill/core';
import { actions } from '../action.ts';
import { minuteTime, utcSeconds } from '../wire-values.ts';

/**
 * DirectMail documents only TaskStatus 1 ("sent successfully"); Postmill's other states get the
 * numbers below (also accepted by the `Status` filter), listed in the README.
 */
const DM_TASK_STATUS: Readonly<Record<TaskStatusCode, number>> = {
  [TaskStatus.Pending]: 0,
  [TaskStatus.Done]: 1,
  [TaskStatus.Sending]: 2,
  [TaskStatus.Error]: 3,
  [TaskStatus.Paused]: 4,
  [TaskStatus.Cancelled]: 5,
};

const POSTMILL_STATUS = new Map(Object.entries(DM_TASK_STATUS).map(([postmill, dm]) => [dm, Number(postmill) as TaskStatusCode]));

/** QueryTaskByParam: batch tasks of every dialect, newest settings as stored with each task. */
export const taskActions = actions({
  async QueryTaskByParam(params, { port }) {
    const keyword = params.optional('KeyWord', { maxLength: 60 });
    const status = params.optionalInt('Status', { min: 0, max: 5 });
    const page = params.page({ defaultSize: 10, maxSize: 100 });
    const postmillStatus = status === undefined ? undefined : POSTMILL_STATUS.get(status);
    const all = await port.readAll((p) => port.campaigns.list({ ...p, ...(postmillStatus === undefined ? {} : { status: postmillStatus }) }));
    const templates = new Map((await port.readAll((p) => port.templates.list(p))).map((t) => [t.id, t.name]));
    const matching = all.filter((t) => {
      const name = templates.get(t.spec.templateId) ?? '';
      return keyword === undefined || name.includes(keyword) || t.spec.receiversName.includes(keyword);
    });
    const rows = matching.slice(page.offset, page.offset + page.pageSize);
    const annotations = await port.annotations.forTasks(rows.map((t) => t.id));
    return {
      PageNumber: page.pageNo,
      PageSize: page.pageSize,
      TotalCount: matching.length,
      data: {
        task: rows.map((t, i) => ({
          TaskId: String(t.id),
          TemplateName: templates.get(t.spec.templateId) ?? '',
          ReceiversName: t.spec.receiversName,
          TagName: annotations[i]?.tagName ?? '',
          TaskStatus: String(DM_TASK_STATUS[t.status]),
          AddressType: String(annotations[i]?.addressType ?? 1),
          RequestCount: String(t.requested),
          CreateTime: minuteTime(t.createdAt),
          UtcCreateTime: utcSeconds(t.createdAt),
          IpPoolId: '',
          IpPoolName: '',
          ConfigSetId: '',
          ConfigSetName: '',
        })),
      },
    };
  },
});
