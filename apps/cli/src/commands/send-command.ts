import type { Command } from 'commander';
import { apiClient, type CliContext, globalOptions } from '../cli-context.ts';
import { jsonText } from '../output.ts';
import { type BatchSendFlags, batchSendRequest } from '../send/batch-send-request.ts';
import { id, integer } from './option-parsers.ts';

/** `postmill send batch`. */
export function registerSendCommands(program: Command, ctx: CliContext): void {
  const send = program.command('send').description('send mail');
  send
    .command('batch')
    .description('send a template to a receiver list, now, at a time or recurring, and print the TaskId (BatchSendEmail)')
    .requiredOption('--from <address>', 'sender address, `addr` or `Name <addr>` (CreateEmailAddress)')
    .requiredOption('--receiver <id>', 'receiver list', id)
    .requiredOption('--template <id>', 'template id', id)
    .requiredOption('--subject <text>', 'subject; may use {{variables}}')
    .option('--data <json>', "TemplateData for every recipient, a JSON object (the list's own values win)")
    .option('--type <n>', 'task type: 1 now, 2 at --begin, 3 recurring (default: from the other options)', integer(1, 3))
    .option('--begin <time>', 'first (or only) send time, "YYYY-MM-DD hh:mm:ss" in the server\'s zone (or --tz with --cron)')
    .option('--interval <hours>', 'recurring: hours between runs (needs --begin)', integer(1))
    .option('--cron <expression>', 'recurring: a cron expression (Postmill extension)')
    .option('--tz <zone>', "IANA time zone of --cron and its times (default: the server's)")
    .option('--end <time>', 'recurring: no run after this time')
    .option('--max <n>', 'recurring: at most this many runs', integer(1))
    .option('--unsubscribe <n>', 'unsubscribe link language, 0 (none) to 12', integer(0, 12))
    .option('--reply-to <address>', 'Reply-To address')
    .action(async (flags: BatchSendFlags, command: Command) => {
      const params = batchSendRequest(flags);
      const client = await apiClient(ctx, command);
      const answer = await client.call<{ TaskId: number }>('BatchSendEmail', params);
      ctx.io.stdout.write(globalOptions(command).json ? jsonText(answer) : `${answer.TaskId}\n`);
    });
}
