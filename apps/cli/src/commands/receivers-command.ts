import type { Command } from 'commander';
import { apiClient, type CliContext, globalOptions } from '../cli-context.ts';
import { count, formatTable, jsonText, truncate } from '../output.ts';
import { registerImportCommand } from './import-command.ts';
import { integer } from './option-parsers.ts';

interface ReceiverData {
  readonly ReceiverId: number;
  readonly ReceiversName: string;
  readonly Count: number;
  readonly Desc: string;
  readonly ReceiversStatus: number;
  readonly CreateTime: string;
  readonly InvalidCount?: number;
}

/** `postmill receivers create | list | import`. */
export function registerReceiverCommands(program: Command, ctx: CliContext): void {
  const receivers = program.command('receivers').description('receiver lists: create, list, import addresses');

  receivers
    .command('create <name>')
    .description('create an empty receiver list and print its ReceiverId (CreateReceiver)')
    .option('--desc <text>', 'description')
    .action(async (name: string, opts: { desc?: string }, command: Command) => {
      const client = await apiClient(ctx, command);
      const answer = await client.call<{ ReceiverId: number }>('CreateReceiver', {
        ReceiversName: name,
        ...(opts.desc === undefined ? {} : { Desc: opts.desc }),
      });
      ctx.io.stdout.write(globalOptions(command).json ? jsonText(answer) : `${answer.ReceiverId}\n`);
    });

  receivers
    .command('list')
    .description('list receiver lists (ListReceivers)')
    .option('--keyword <text>', 'only lists whose name contains this')
    .option('--limit <n>', 'lists per page (1-100)', integer(1, 100), 20)
    .option('--offset <n>', 'lists to skip', integer(0), 0)
    .action(async (opts: { keyword?: string; limit: number; offset: number }, command: Command) => {
      const client = await apiClient(ctx, command);
      const answer = await client.call<{ TotalCount: number; Data: ReceiverData[] }>('ListReceivers', {
        Offset: opts.offset,
        Limit: opts.limit,
        ...(opts.keyword === undefined ? {} : { KeyWord: opts.keyword }),
      });
      if (globalOptions(command).json) {
        ctx.io.stdout.write(jsonText(answer));
        return;
      }
      const rows = answer.Data.map((r) => [
        String(r.ReceiverId),
        truncate(r.ReceiversName, 40),
        count(r.Count),
        count(r.InvalidCount),
        r.CreateTime,
        truncate(r.Desc, 40),
      ]);
      ctx.io.stdout.write(formatTable(['ID', 'NAME', 'ADDRESSES', 'REFUSED', 'CREATED', 'DESCRIPTION'], rows, new Set([0, 2, 3])));
      ctx.io.stdout.write(`${answer.Data.length} of ${count(answer.TotalCount)} lists\n`);
    });

  registerImportCommand(receivers, ctx);
}
