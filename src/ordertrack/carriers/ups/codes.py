"""UPS codes onto ordertrack's statuses: our reading of every row of UPS's tracking code tables.

UPS publishes its codes in the Tracking API reference, "Tracking status/description codes",
"Tracking delivery codes" and "Package activity types"
(https://developer.ups.com/api/reference/tracking/appendix). Only our decisions live here:
a code and what it means to ordertrack, never UPS's wording. One Track API activity carries
three codes (``status.type``, ``status.code``, ``status.statusCode``); ``mapping.meaning_of``
combines them, most specific first.

How rows were read:
- a code that says the parcel is held *because of* something (customs, address, weather) is
  an exception with that reason; one that only reports progress, a request being processed or
  an administrative note (claims, upgrades, delivery changes) is ``in_transit``, which never
  moves a parcel back;
- "we tried and will try again" is ``failed_attempt``; "on its way back" is ``returning``;
  "the sender has it" is ``returned``;
- a delivery code under a ``D`` activity names where or to whom it was left: ``delivered``.
"""

from __future__ import annotations

from ordertrack.carriers.codes import CodeTable, meanings
from ordertrack.statuses import EventStatus as S

# ``status.statusCode`` in the Track API: UPS's customer-facing status ("Status/Description
# Codes"), sent zero-padded to three digits ("011"); keys here are unpadded.
STATUS_CODES = CodeTable(
    "ups",
    {
        **meanings(S.info_received, "3 79 80 157 166"),
        **meanings(
            S.in_transit,
            "0 5 10 12 14 16 18 19 20 25 27 28 38 39 41 42 44 45 47 54 55 56 57 63 71 73 74 75 "
            "70 77 82 84 87 88 92 94 95 96 97 98 99 100 101 102 103 104 105 106 107 108 109 110 111 "
            "112 113 114 115 116 117 120 121 122 127 128 129 130 133 134 136 137 138 140 142 148 "
            "153 154 155 156 158 159 160 163 164 165 167 168 169",
        ),
        **meanings(S.out_for_delivery, "6 21 37 72 78 89 91 146 162"),
        **meanings(S.available_for_pickup, "17 40 144"),
        **meanings(S.failed_attempt, "22 23 24 60 66 145"),
        **meanings(S.failed_attempt, "61", "signature_required"),
        **meanings(S.failed_attempt, "62", "payment_required"),
        **meanings(S.failed_attempt, "65 131 135", "pickup_not_ready"),
        **meanings(S.delivered, "11 26 143 161"),
        **meanings(S.exception, "13 29 30 69 76 93"),
        **meanings(S.exception, "7 43", "cancelled"),
        **meanings(S.exception, "46 48 49 86 90 123 132", "delayed"),
        **meanings(S.exception, "32 51 52 53", "weather"),
        **meanings(S.exception, "50", "address_issue"),
        **meanings(S.exception, "58 124 125 126 141", "customs_hold"),
        **meanings(S.exception, "59 81", "damaged"),
        **meanings(S.exception, "64", "refused"),
        **meanings(S.exception, "68", "lost"),
        **meanings(S.exception, "83", "held_at_carrier"),
        **meanings(S.exception, "85", "payment_required"),
        **meanings(S.exception, "139", "security_access"),
        **meanings(S.exception, "147", "seized"),
        **meanings(S.exception, "149", "destroyed"),
        **meanings(S.returning, "33 35 36 118 119", "returned_to_sender"),
        **meanings(S.returned, "34 67", "returned_to_sender"),
    },
)

# ``status.type``: the activity type, the last resort when no code is known.
ACTIVITY_TYPES = CodeTable(
    "ups",
    {
        **meanings(S.info_received, "M"),
        **meanings(S.in_transit, "I P DO W NA U"),
        **meanings(S.delivered, "D DD"),
        **meanings(S.exception, "X"),
        **meanings(S.exception, "MV", "cancelled"),
    },
)

PACKAGE_EXCEPTIONS = CodeTable(
    "ups",
    {
        **meanings(
            S.in_transit,
            "14 1A 1D 1M 1P 1T 2E 2G 2O 2R 2S 2U 2V 37 3P 3Q 3R 3S 3U 3V 3W 3Z 4B 4F 4H 4I 4J 4L "
            "4M 4N 4P 4Q 4Y 5A 5B 5S 5U 5V 5W 60 63 6G 6H 6I 6J 6K 6P 6W 6X 6Z 76 77 78 79 7C 7D "
            "7E 7N 7Q 8C 8E 8F 8M 8R 92 99 9C 9D 9I 9J 9K AH BR CG CH CJ D7 DA DT E0 E7 EO F0 F3 "
            "F5 F7 FW GD GN GO GQ GR H6 HF HJ HL HM I3 I8 I9 IB IP J8 J9 JA JB JC JH JI JJ K5 K6 "
            "K8 KN KO L0 L8 LI LU LX LY LZ MF O1 O2 O3 O7 O9 OA P4 P7 PG R3 R8 RB RC RF RG RH RI "
            "RW S0 S6 SO SU SX T4 T5 T6 T7 T8 TA TB TK TL TO TR TS TT UD UG UI UL UT UW UX UZ V9 "
            "VA VD VF VG VH VM VU VV VW VX VZ W8 X0 XD XS XZ Y2 Y3 Y5 Y7 Y9 YG YI YR YS YT YW Z3 "
            "Z5 Z7 Z8 ZA ZB ZC ZD ZK ZL ZN ZU ZV ZW ZX ZY ZZ",
        ),
        **meanings(S.out_for_delivery, "RK RL ZS"),
        **meanings(S.available_for_pickup, "39 54 5G 6B 8I E2 HO I5 O5 O8 S7 UE VB VE VN ZP"),
        **meanings(S.failed_attempt, "2X 3L 5R 6L 6R 84 89 GB YD"),
        **meanings(S.failed_attempt, "3J 55 AY G3 L1 VL ZM", "business_closed"),
        **meanings(S.failed_attempt, "IQ IR PI", "id_required"),
        **meanings(S.failed_attempt, "51 52 KZ", "payment_required"),
        **meanings(S.failed_attempt, "48 49 5Z 7L AX C4 HQ KX OH", "recipient_unavailable"),
        **meanings(S.failed_attempt, "FM G7 G8", "signature_required"),
        **meanings(S.delivered, "56 59 F4 FN FT K7 KM"),
        **meanings(S.delivered, "64", "damaged"),
        **meanings(
            S.exception,
            "46 47 4Z A6 A7 A8 A9 AA AB AC AD AE AF AG AK AL AV AW C8 CW CY D4 DS DW E1 FA H1 H2 "
            "H3 H4 H5 OJ PH TF YF",
            "address_issue",
        ),
        **meanings(S.exception, "33", "billing_issue"),
        **meanings(S.exception, "30 5D", "cancelled"),
        **meanings(
            S.exception,
            "1C 1U 1W 29 2B 2N 2T 40 43 4C 4T 5 71 73 7F 7I 7M 7P 7S 7T 7U 9F AO B3 B4 B5 B6 B8 "
            "B9 BA BB BD BE BG BH BJ BK BP BV BW BX C3 CE CF CN CT CX CZ D0 D2 D5 DB DE DN DP DY "
            "E4 E8 E9 ER ES EU EV EW FE FF GF GZ HW L2 L3 L5 LV MI OB OI OQ OT R1 R4 R5 R6 R7 RA "
            "RD RE RJ RM RP RR RS RU RX RZ S1 S2 S3 S4 S5 SF SI SJ SL SN SP SS SV SY T9 TE TG UN "
            "VK VP VQ VR X2 X3 X4 X5 X6 X7 X8 X9 XA XB XC XE XG XJ XK XL XN XO XV XW XY Y1 Y4 YA "
            "YX Z1",
            "customs_hold",
        ),
        **meanings(S.exception, "13 25 26 45 66 67 A2 A3 A4 A5 AJ HD HE HN HR LN LO LQ TV", "damaged"),
        **meanings(
            S.exception,
            "1 11 15 16 17 18 19 1B 1K 1L 1O 1Q 1V 1X 2 22 23 2H 2Y 2Z 3 31 34 3A 3B 3C 3T 4 4K 6 "
            "68 6E 7 7G 7R 7Y 7Z 8 87 8A 8G 8K 8L 8Y 8Z 95 9L 9M 9N 9O 9P 9Q 9R 9S 9T 9U 9V 9X 9Y "
            "9Z AT AZ B1 C6 CC CD CK CL CM CP CQ D1 DC DG DQ DR DU E3 ED EH EN FG G1 G6 G9 GC GH "
            "GI GV H7 HA HG HH IJ K1 K2 LE LF LH MT NP NW O6 OD OL OM OS P6 Q0 Q1 RO RY S8 TH TI "
            "TN UK",
            "delayed",
        ),
        **meanings(S.exception, "1F 8D BZ NI", "destroyed"),
        **meanings(S.exception, "1G 1H 5T 72 BF OR T3 TC", "held_at_carrier"),
        **meanings(S.exception, "93 F8 S9 TJ UO UP", "lost"),
        **meanings(S.exception, "C9 CA CV EX", "oversized"),
        **meanings(S.exception, "6T 91 C7 D9 EY", "payment_required"),
        **meanings(S.exception, "G4 G5 KY", "pickup_not_ready"),
        **meanings(S.exception, "H9 HK I2 TX U0 U3 UR US YU YV", "prohibited_contents"),
        **meanings(S.exception, "BQ BT DD VI VJ", "recipient_unavailable"),
        **meanings(S.exception, "AM AN AP AQ AS KI KQ KR KS KT YE", "refused"),
        **meanings(S.exception, "IY J0", "seized"),
        **meanings(S.exception, "YL", "undeliverable"),
        **meanings(S.exception, "1E 2A 3D 6D 7V 7W 7X C5 DF DJ PZ", "weather"),
        **meanings(S.returning, "7H 90", "customs_hold"),
        **meanings(S.returning, "24 27 65 A1", "damaged"),
        **meanings(S.returning, "8H", "refused"),
        **meanings(
            S.returning, "3N 4R 4S 6C CS DL H8 I1 KP O0 O4 PP RV UF XU YJ YK YM ZO", "returned_to_sender"
        ),
        **meanings(S.returned, "TU UA", "returned_to_sender"),
    },
)

DELIVERY_CODES = CodeTable(
    "ups",
    {
        **meanings(
            S.in_transit,
            "1Z 2C 2D 2J 2W 38 4X 74 7A 7K 83 85 86 8Q 98 A0 BM BN EC EE EG EZ F0 F1 F2 F3 F7 FD "
            "FI GW HI L4 L6 LM MY TW UJ VS YH ZE",
        ),
        **meanings(S.out_for_delivery, "2K"),
        **meanings(S.available_for_pickup, "1N AU EP ZI ZQ"),
        **meanings(S.failed_attempt, "5F 7B CU EA KU"),
        **meanings(S.failed_attempt, "50 BO DZ", "address_issue"),
        **meanings(S.failed_attempt, "BI FO", "business_closed"),
        **meanings(S.failed_attempt, "DI", "payment_required"),
        **meanings(S.failed_attempt, "BS CI FC", "recipient_unavailable"),
        **meanings(S.failed_attempt, "53", "refused"),
        **meanings(S.failed_attempt, "NS NX OE", "security_access"),
        **meanings(
            S.delivered,
            "2Q 3F 3G 3H 8N 8O 9E AI FB FV M1 M2 M3 M4 M5 M6 M7 M8 M9 MA MB MC MD ME MG MH MJ MK "
            "ML MM MN MP MQ MR MS MU MW MX NL NT OO OZ P5 PF UC YC ZF ZG ZH",
        ),
        **meanings(S.exception, "MV", "address_issue"),
        **meanings(S.exception, "EB", "cancelled"),
        **meanings(S.exception, "61 62 70 B2 BL RN RQ SB SE SG ST", "customs_hold"),
        **meanings(S.exception, "28 GK", "damaged"),
        **meanings(S.exception, "0 12 32 41 42 44 57 9 CB CO DK DO EF EI EK EL EM EQ ET FZ", "delayed"),
        **meanings(S.exception, "CR EJ", "weather"),
        **meanings(S.returned, "B0", "returned_to_sender"),
    },
)

MOVEMENT_SCANS = CodeTable(
    "ups",
    {
        **meanings(S.info_received, "OC PL SP"),
        **meanings(
            S.in_transit,
            "AG AR AT CA CD CL DL DP DS EP HU IP LC LM OD OR PC PT PU UA UD UL WH XA XD XR YH YI YM YN YP",
        ),
        **meanings(S.out_for_delivery, "OF OT YF"),
        **meanings(S.exception, "VP", "cancelled"),
    },
)

MANIFEST_CODES = CodeTable(
    "ups",
    {
        **meanings(S.info_received, "DP MP RD"),
        **meanings(S.exception, "VP", "cancelled"),
    },
)

UPDATES = CodeTable(
    "ups",
    {
        **meanings(S.in_transit, "PX UP UT"),
    },
)

FREIGHT_ACTIVITY = CodeTable(
    "ups",
    {
        **meanings(S.info_received, "001 003 004 020 037 038 039 045 072"),
        **meanings(
            S.in_transit,
            "000 002 005 006 007 009 010 015 016 017 022 027 028 029 030 031 032 033 034 035 036 "
            "040 041 042 044 046 047 048 049 051 052 054 057 059 060 061 062 063 065 066 067 068 "
            "069 070 073 074 080",
        ),
        **meanings(S.out_for_delivery, "011"),
        **meanings(S.delivered, "012 050 055"),
        **meanings(S.exception, "013"),
        **meanings(S.exception, "014", "cancelled"),
        **meanings(S.exception, "043 056", "customs_hold"),
        **meanings(S.exception, "053 058", "damaged"),
    },
)

FREIGHT_EXCEPTIONS = CodeTable(
    "ups",
    {
        **meanings(S.in_transit, "21 29 30 51 59 60 63 68 AS DE DX E1 E4 E5 EX F1 G1 G2 HG IS"),
        **meanings(S.available_for_pickup, "09"),
        **meanings(S.failed_attempt, "02 C3 IE"),
        **meanings(S.failed_attempt, "UF", "business_closed"),
        **meanings(S.failed_attempt, "B3 B4 B6 B7 B8 B9 C0", "recipient_unavailable"),
        **meanings(S.delivered, "10 12 28 31 D2 E9", "partially_delivered"),
        **meanings(
            S.exception,
            "03 38 47 65 74 75 78 79 81 82 83 85 90 93 E6 G5 I1 I2 I3 I4 I5 IA IC IF IG IQ U2 U3 U6 UG UN",
            "address_issue",
        ),
        **meanings(S.exception, "50 88 FX G4 SC", "cancelled"),
        **meanings(S.exception, "11 24 26 56 58 61 84 99 A1 A2 A3 C7 EC G3 HC IT", "customs_hold"),
        **meanings(S.exception, "06 14 15 16 17 27 36 80 97 E8 TE TI UJ", "damaged"),
        **meanings(
            S.exception,
            "01 04 07 08 18 19 20 22 25 32 39 40 41 42 43 44 45 46 48 49 52 53 55 57 62 64 66 67 "
            "69 71 72 73 77 87 89 91 92 94 96 98 A4 AR BL BM BP D3 DH E2 EF F3 GD HA HD HN I6 IJ "
            "IK IL IM IN IO IP MB MR MS SA TM U4 UI UK UL UM UQ UZ",
            "delayed",
        ),
        **meanings(S.exception, "33 95 A5 DP F2 HE HU", "held_at_carrier"),
        **meanings(S.exception, "34 70 LC LD PS UX", "lost"),
        **meanings(S.exception, "IH UH", "payment_required"),
        **meanings(S.exception, "76", "pickup_not_ready"),
        **meanings(S.exception, "54 D1 D4 D5 DG E7 II RF UY", "refused"),
        **meanings(S.exception, "35 HF", "seized"),
        **meanings(S.exception, "05 BW", "weather"),
        **meanings(S.returning, "86", "returned_to_sender"),
    },
)

MAIL_INNOVATIONS = CodeTable(
    "ups",
    {
        **meanings(S.info_received, "2N ML MP Q0"),
        **meanings(
            S.in_transit,
            "1A 1B 2O DM DQ DR DS DY DZ EN MQ MR MU MV MW MX MY MZ OF P2 P3 P5 P7 P8 PA PB PF PP "
            "Q1 Q2 Q3 Q4 Q6 Q7 S4 S5 S6 S7 S8 VS XA YG YH YI ZN ZR ZS ZT ZU ZV ZW ZX ZY ZZ",
        ),
        **meanings(S.out_for_delivery, "EL P9 RB RD RE"),
        **meanings(S.out_for_delivery, "RC", "payment_required"),
        **meanings(S.available_for_pickup, "1C 1D AU DN ED PC PE R1 RP SO YD"),
        **meanings(S.failed_attempt, "DO DP P6 QS QW ZM"),
        **meanings(S.failed_attempt, "RH RJ RK", "address_issue"),
        **meanings(S.failed_attempt, "DU DV DW DX EM QT QU RI SR", "recipient_unavailable"),
        **meanings(S.delivered, "1E 1G DL F4 P0 P1 RQ YC"),
        **meanings(S.exception, "EE EF EG EH PI PN QZ R5 RM RR YF YJ YK", "address_issue"),
        **meanings(
            S.exception,
            "MS P4 PD PK PO Q8 Q9 QA QB QC QD QE QF QG QH QI QJ QK QL QM QN QP QQ",
            "customs_hold",
        ),
        **meanings(S.exception, "PH PX QR QV", "damaged"),
        **meanings(S.exception, "00 EB EC MT PM Q5 RF RG RN SN", "delayed"),
        **meanings(S.exception, "YL YM", "destroyed"),
        **meanings(S.exception, "QY R0 R3 R4", "held_at_carrier"),
        **meanings(S.exception, "R9", "lost"),
        **meanings(S.exception, "R7", "payment_required"),
        **meanings(S.exception, "R8 RL", "prohibited_contents"),
        **meanings(S.exception, "R2 R6", "recipient_unavailable"),
        **meanings(S.exception, "PG PL PU QX YE", "refused"),
        **meanings(S.exception, "RS RT RU RV RW RX RY RZ S0 S1 S2 S3", "seized"),
        **meanings(S.exception, "RA", "unclaimed"),
        **meanings(S.exception, "EA PY", "weather"),
        **meanings(S.returning, "XD", "damaged"),
        **meanings(
            S.returning,
            "1F EI EJ EK KP PJ PQ PR PS PT PV PW S9 SA SB SC SD SE SF SG SH SI SJ SK SL SM SP XO",
            "returned_to_sender",
        ),
        **meanings(S.returned, "SQ", "returned_to_sender"),
    },
)
