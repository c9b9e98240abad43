/**
 * Tencent's `Unsubscribe` language enum (CN schema, the primary source: "1" Simplified Chinese,
 * "2" English ... "12" Vietnamese; "0" = no link) mapped to the link text and its lead-in.
 */
export const UNSUBSCRIBE_TEXT: Readonly<Record<string, { readonly lead: string; readonly link: string; readonly lang: string }>> = {
  '1': { lang: 'zh-CN', lead: '如不想再收到此类邮件，请', link: '退订' },
  '2': { lang: 'en', lead: 'If you no longer wish to receive these emails, you can', link: 'unsubscribe' },
  '3': { lang: 'zh-TW', lead: '如不想再收到此類郵件，請', link: '取消訂閱' },
  '4': { lang: 'es', lead: 'Si ya no desea recibir estos correos, puede', link: 'cancelar la suscripción' },
  '5': { lang: 'fr', lead: 'Si vous ne souhaitez plus recevoir ces e-mails, vous pouvez', link: 'vous désabonner' },
  '6': { lang: 'de', lead: 'Wenn Sie diese E-Mails nicht mehr erhalten möchten, können Sie sich', link: 'abmelden' },
  '7': { lang: 'ja', lead: '今後このようなメールの受信を希望されない場合は、', link: '配信停止' },
  '8': { lang: 'ko', lead: '더 이상 이 이메일을 받고 싶지 않으시면', link: '수신 거부' },
  '9': { lang: 'ar', lead: 'إذا لم تعد ترغب في تلقي هذه الرسائل، يمكنك', link: 'إلغاء الاشتراك' },
  '10': { lang: 'th', lead: 'หากคุณไม่ต้องการรับอีเมลเหล่านี้อีกต่อไป', link: 'ยกเลิกการรับข่าวสาร' },
  '11': { lang: 'id', lead: 'Jika Anda tidak ingin menerima email ini lagi, Anda dapat', link: 'berhenti berlangganan' },
  '12': { lang: 'vi', lead: 'Nếu bạn không muốn nhận các email này nữa, bạn có thể', link: 'hủy đăng ký' },
};

/** The valid `Unsubscribe` values: "0" through "12". */
export function isUnsubscribeOption(value: string): boolean {
  return value === '0' || Object.hasOwn(UNSUBSCRIBE_TEXT, value);
}
